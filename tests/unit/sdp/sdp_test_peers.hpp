#pragma once
// Shared test fixtures for the offer/answer tests: two peercall endpoints with
// made-up ICE credentials, candidates and fingerprints, the text round trip, and
// a small encrypted (JSEP) offer built line by line so tests can remove or change
// one line.
#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "sdp/offer_answer.hpp"
#include "sdp/sdp_parser.hpp"
#include "sdp/sdp_writer.hpp"

namespace peercall::test {

inline const std::string kCallerFingerprint =
    "sha-256 11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00";
inline const std::string kListenerFingerprint =
    "sha-256 A0:B1:C2:D3:E4:F5:06:17:28:39:4A:5B:6C:7D:8E:9F:A0:B1:C2:D3:E4:F5:06:17:28:39:4A:5B:6C:7D:8E:9F";

inline LocalMediaConfig endpoint(uint32_t audio_ssrc, uint32_t video_ssrc, const char* cname, const char* ufrag,
                                 const char* pwd, const std::string& fingerprint, const char* host) {
  LocalMediaConfig c;
  c.audio_ssrc = audio_ssrc;
  c.video_ssrc = video_ssrc;
  c.cname = cname;
  c.transport.ice_ufrag = ufrag;
  c.transport.ice_pwd = pwd;
  c.transport.fingerprint = fingerprint;
  c.transport.candidates = {std::string("candidate:1 1 udp 2130706431 ") + host + " 40000 typ host",
                            std::string("candidate:2 1 udp 1694498815 198.51.100.3 40001 typ srflx raddr ") + host +
                                " rport 40000"};
  return c;
}

inline LocalMediaConfig caller() {
  return endpoint(0xA0A0A0A0, 0xB0B0B0B0, "caller", "cAll", "callerPasswordIs22chars", kCallerFingerprint,
                  "192.0.2.10");
}
inline LocalMediaConfig listener() {
  return endpoint(0xC0C0C0C0, 0xD0D0D0D0, "listener", "LiSt", "listener+Password/24chr", kListenerFingerprint,
                  "192.0.2.20");
}

// Every exchange goes through text, as it does over HTTP.
inline SessionDescription via_text(const SessionDescription& sd) {
  auto parsed = parse_sdp(write_sdp(sd));
  EXPECT_TRUE(parsed.ok()) << parsed.error();
  return parsed.ok() ? *parsed : SessionDescription{};
}

inline SessionDescription parse(const std::string& text) {
  auto parsed = parse_sdp(text);
  EXPECT_TRUE(parsed.ok()) << parsed.error();
  return parsed.ok() ? *parsed : SessionDescription{};
}

// `text` without the lines that start with `prefix`.
inline std::string without(const std::string& text, std::string_view prefix) {
  std::string out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    end = end == std::string::npos ? text.size() : end + 1;
    std::string_view line(text.data() + pos, end - pos);
    if (!line.starts_with(prefix)) out += line;
    pos = end;
  }
  return out;
}

inline std::string replace_all(std::string text, std::string_view from, std::string_view to) {
  for (size_t pos = text.find(from); pos != std::string::npos; pos = text.find(from, pos + to.size()))
    text.replace(pos, from.size(), to);
  return text;
}

// A minimal browser-like offer: header (with the BUNDLE group) then m-sections.
inline std::string offer_header(std::string_view bundle = "0 1") {
  return "v=0\r\no=- 5 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE " + std::string(bundle) + "\r\n";
}

inline const std::string kOfferTransport =
    "a=ice-ufrag:oFfR\r\na=ice-pwd:offerPassword0123456789\r\n"
    "a=fingerprint:sha-256 "
    "4A:1F:9C:0E:77:B2:5D:C3:18:6A:F0:2B:93:E4:D1:8C:57:0A:BE:64:29:F3:C8:11:7D:A5:4E:90:36:BB:02:EF\r\n"
    "a=setup:actpass\r\na=rtcp-mux\r\n"
    "a=candidate:9 1 udp 2130706431 203.0.113.5 6000 typ host\r\n";

inline std::string opus_section(std::string_view mid = "0") {
  return "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\na=mid:" + std::string(mid) + "\r\n" +
         kOfferTransport + "a=rtpmap:111 opus/48000/2\r\na=ssrc:77 cname:x\r\n";
}

// One H264 payload type per (pt, fmtp) given, in order.
inline std::string h264_section(std::string_view mid, std::initializer_list<std::pair<int, std::string>> codecs) {
  std::string pts, lines;
  for (const auto& [pt, fmtp] : codecs) {
    pts += " " + std::to_string(pt);
    lines += "a=rtpmap:" + std::to_string(pt) + " H264/90000\r\na=rtcp-fb:" + std::to_string(pt) +
             " nack pli\r\na=fmtp:" + std::to_string(pt) + " " + fmtp + "\r\n";
  }
  return "m=video 9 UDP/TLS/RTP/SAVPF" + pts + "\r\nc=IN IP4 0.0.0.0\r\na=mid:" + std::string(mid) + "\r\n" +
         kOfferTransport + lines + "a=ssrc:88 cname:x\r\n";
}

inline std::string small_offer() {
  return offer_header() + opus_section("0") +
         h264_section("1", {{100, "profile-level-id=42e01f;packetization-mode=1"}});
}

}  // namespace peercall::test
