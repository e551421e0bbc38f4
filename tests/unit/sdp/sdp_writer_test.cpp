#include "sdp/sdp_writer.hpp"

#include <gtest/gtest.h>

#include <string>

#include "chrome_offer.hpp"
#include "sdp/sdp_parser.hpp"

using namespace peercall;

namespace {

SessionDescription full_model() {
  SessionDescription sd;
  sd.session_id = 9223372036854775807u;
  sd.session_version = 42;
  sd.origin_address = "2001:db8::7";
  sd.session_name = "a call";
  sd.connection_address = "198.51.100.4";
  sd.attributes = {{"group", "BUNDLE a v"}, {"ice-lite", ""}};
  MediaDescription audio;
  audio.kind = "audio";
  audio.port = 50000;
  audio.protocol = "RTP/AVP";
  audio.codecs = {{111, "opus", 48000, 2, "minptime=10;useinbandfec=1", {"transport-cc"}},
                  {0, "PCMU", 8000, 1, "", {}},
                  {101, "telephone-event", 8000, 1, "0-16", {}}};
  audio.direction = Direction::kSendOnly;
  audio.mid = "a";
  audio.rtcp_mux = true;
  audio.ssrcs = {1, 4294967295u};
  audio.cname = "me@host";
  audio.other_attributes = {{"ptime", "20"}, {"ssrc", "1 msid:s t"}, {"rtcp-fb", "* nack"}};
  MediaDescription video;
  video.kind = "video";
  video.port = 50002;
  video.protocol = "UDP/TLS/RTP/SAVPF";
  video.codecs = {{96, "H264", 90000, 1, "packetization-mode=1", {"nack", "nack pli", "ccm fir"}},
                  {97, "rtx", 90000, 1, "apt=96", {}}};
  video.direction = Direction::kRecvOnly;
  video.mid = "v";
  video.connection_address = "2001:db8::9";
  MediaDescription data;
  data.kind = "application";
  data.protocol = "UDP/DTLS/SCTP";
  data.formats = {"webrtc-datachannel"};
  data.direction = Direction::kInactive;
  data.other_attributes = {{"sctp-port", "5000"}};
  sd.media = {audio, video, data};
  return sd;
}

}  // namespace

TEST(SdpWriter, RoundTripsTheModel) {
  const SessionDescription sd = full_model();
  const std::string text = write_sdp(sd);
  auto parsed = parse_sdp(text);
  ASSERT_TRUE(parsed.ok()) << parsed.error() << "\n" << text;
  EXPECT_EQ(*parsed, sd) << text;
}

TEST(SdpWriter, RoundTripsTheChromeOffer) {
  auto offer = parse_sdp(test::chrome_offer());
  ASSERT_TRUE(offer.ok());
  auto again = parse_sdp(write_sdp(*offer));
  ASSERT_TRUE(again.ok()) << again.error();
  EXPECT_EQ(*again, *offer);
}

TEST(SdpWriter, WritesCrlfLinesInRfcOrder) {
  const std::string text = write_sdp(full_model());
  EXPECT_TRUE(text.starts_with("v=0\r\no=- 9223372036854775807 42 IN IP6 2001:db8::7\r\ns=a call\r\n"
                               "c=IN IP4 198.51.100.4\r\nt=0 0\r\na=group:BUNDLE a v\r\na=ice-lite\r\n"
                               "m=audio 50000 RTP/AVP 111 0 101\r\n"))
      << text;
  EXPECT_NE(text.find("a=rtpmap:111 opus/48000/2\r\n"), std::string::npos);
  EXPECT_NE(text.find("a=rtpmap:0 PCMU/8000\r\n"), std::string::npos);
  EXPECT_NE(text.find("a=ssrc:4294967295 cname:me@host\r\n"), std::string::npos);
  EXPECT_NE(text.find("m=video 50002 UDP/TLS/RTP/SAVPF 96 97\r\nc=IN IP6 2001:db8::9\r\n"), std::string::npos);
  EXPECT_NE(text.find("m=application 0 UDP/DTLS/SCTP webrtc-datachannel\r\n"), std::string::npos);
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n') {
      ASSERT_TRUE(i > 0 && text[i - 1] == '\r') << "bare LF at " << i;
    }
  }
  EXPECT_TRUE(text.ends_with("\r\n"));
}

TEST(SdpWriter, FieldsCannotInjectLines) {
  SessionDescription sd = full_model();
  sd.session_name = "x\r\nm=video 1 RTP/AVP 1";
  sd.media[0].cname = "c\na=inactive";
  auto parsed = parse_sdp(write_sdp(sd));
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->media.size(), 3u);
  EXPECT_EQ(parsed->session_name, "xm=video 1 RTP/AVP 1");
  EXPECT_EQ(parsed->media[0].direction, Direction::kSendOnly);
}
