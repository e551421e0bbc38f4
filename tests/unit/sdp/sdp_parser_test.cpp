#include "sdp/sdp_parser.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>

#include "chrome_offer.hpp"
#include "sdp/offer_answer.hpp"
#include "sdp/sdp_writer.hpp"

using namespace peercall;

namespace {

const Codec* find_codec(const MediaDescription& m, uint8_t pt) {
  auto it = std::find_if(m.codecs.begin(), m.codecs.end(), [&](const Codec& c) { return c.payload_type == pt; });
  return it == m.codecs.end() ? nullptr : &*it;
}

bool has_attribute(const std::vector<Attribute>& attrs, const std::string& name, const std::string& value) {
  return std::find(attrs.begin(), attrs.end(), Attribute{name, value}) != attrs.end();
}

constexpr const char* kMinimal = "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=x\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\n";

std::string minimal_with(const std::string& media) { return kMinimal + media; }

}  // namespace

TEST(SdpParser, ChromeOfferParses) {
  auto sd = parse_sdp(test::chrome_offer());
  ASSERT_TRUE(sd.ok()) << sd.error();
  EXPECT_EQ(sd->session_id, 7614219274584779017u);
  EXPECT_EQ(sd->session_version, 2u);
  EXPECT_EQ(sd->session_name, "-");
  EXPECT_FALSE(sd->connection_address);
  EXPECT_TRUE(has_attribute(sd->attributes, "group", "BUNDLE 0 1"));
  EXPECT_TRUE(has_attribute(sd->attributes, "extmap-allow-mixed", ""));
  EXPECT_TRUE(has_attribute(sd->attributes, "msid-semantic", " WMS 5f3b2c1a-6d8e-4f70-9a1b-2c3d4e5f6a7b"));
  ASSERT_EQ(sd->media.size(), 2u);

  const MediaDescription& audio = sd->media[0];
  EXPECT_EQ(audio.kind, "audio");
  EXPECT_EQ(audio.port, 9);
  EXPECT_EQ(audio.protocol, "UDP/TLS/RTP/SAVPF");
  EXPECT_EQ(audio.mid, "0");
  EXPECT_EQ(audio.connection_address, "0.0.0.0");
  EXPECT_EQ(audio.direction, Direction::kSendRecv);
  EXPECT_TRUE(audio.rtcp_mux);
  ASSERT_EQ(audio.codecs.size(), 8u);
  EXPECT_EQ(audio.codecs[0], (Codec{111, "opus", 48000, 2, "minptime=10;useinbandfec=1", {"transport-cc"}}));
  EXPECT_EQ(audio.codecs[3].name, "PCMU");
  EXPECT_EQ(audio.codecs[7], (Codec{126, "telephone-event", 8000, 1, "", {}}));
  EXPECT_EQ(audio.ssrcs, std::vector<uint32_t>{2718281828u});
  EXPECT_EQ(audio.cname, "Xq3vR8tLm2Kp9sDw");
  EXPECT_TRUE(has_attribute(audio.other_attributes, "ice-ufrag", "Qm7x"));
  EXPECT_TRUE(has_attribute(audio.other_attributes, "setup", "actpass"));
  EXPECT_TRUE(has_attribute(audio.other_attributes, "extmap", "4 urn:ietf:params:rtp-hdrext:sdes:mid"));
  EXPECT_TRUE(has_attribute(audio.other_attributes, "ssrc",
                            "2718281828 msid:5f3b2c1a-6d8e-4f70-9a1b-2c3d4e5f6a7b 0c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f"));

  const MediaDescription& video = sd->media[1];
  EXPECT_EQ(video.kind, "video");
  EXPECT_EQ(video.mid, "1");
  ASSERT_EQ(video.codecs.size(), 21u);
  EXPECT_EQ(video.codecs[0].name, "VP8");
  const Codec* h264 = find_codec(video, 108);
  ASSERT_NE(h264, nullptr);
  EXPECT_EQ(h264->name, "H264");
  EXPECT_EQ(h264->clock_rate, 90000u);
  EXPECT_EQ(h264->fmtp, "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f");
  EXPECT_EQ(h264->rtcp_feedback,
            (std::vector<std::string>{"goog-remb", "transport-cc", "ccm fir", "nack", "nack pli"}));
  const Codec* rtx = find_codec(video, 109);
  ASSERT_NE(rtx, nullptr);
  EXPECT_EQ(rtx->fmtp, "apt=108");
  EXPECT_EQ(video.ssrcs, (std::vector<uint32_t>{3141592653u, 1618033988u}));
  EXPECT_TRUE(has_attribute(video.other_attributes, "ssrc-group", "FID 3141592653 1618033988"));
  EXPECT_TRUE(has_attribute(video.other_attributes, "rtcp-rsize", ""));
}

TEST(SdpParser, AcceptsBareLineFeeds) {
  auto crlf = parse_sdp(test::chrome_offer());
  auto lf = parse_sdp(test::kChromeOfferLf);
  ASSERT_TRUE(crlf.ok() && lf.ok());
  EXPECT_EQ(*crlf, *lf);
}

TEST(SdpParser, KeepsNonRtpMediaAndSessionDirection) {
  auto sd = parse_sdp(minimal_with(
      "a=recvonly\r\nm=audio 5004 RTP/AVP 0 96\r\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n"
      "a=sctp-port:5000\r\na=sendonly\r\n"));
  ASSERT_TRUE(sd.ok()) << sd.error();
  ASSERT_EQ(sd->media.size(), 2u);
  EXPECT_EQ(sd->media[0].direction, Direction::kRecvOnly);  // session-level default
  EXPECT_EQ(sd->media[0].codecs[0].name, "PCMU");           // static payload type, no rtpmap
  EXPECT_EQ(sd->media[0].codecs[1].name, "");               // dynamic without rtpmap: unknown
  EXPECT_EQ(sd->media[1].formats, std::vector<std::string>{"webrtc-datachannel"});
  EXPECT_TRUE(sd->media[1].codecs.empty());
  EXPECT_EQ(sd->media[1].direction, Direction::kSendOnly);
  EXPECT_TRUE(has_attribute(sd->media[1].other_attributes, "sctp-port", "5000"));
  EXPECT_EQ(sd->connection_address, "10.0.0.1");
}

TEST(SdpParser, IgnoresUnknownLinesAndAttributesForUnlistedPayloadTypes) {
  auto sd = parse_sdp(minimal_with(
      "b=AS:2000\r\nz=whatever\r\nm=video 5004/2 RTP/AVP 96\r\nb=TIAS:100\r\ni=title\r\n"
      "c=IN IP6 ::1\r\na=rtpmap:97 VP8/90000\r\na=fmtp:97 x=1\r\na=rtpmap:96 H264/90000\r\n"
      "a=x-custom\r\n\r\n"));
  ASSERT_TRUE(sd.ok()) << sd.error();
  ASSERT_EQ(sd->media[0].codecs.size(), 1u);
  EXPECT_EQ(sd->media[0].codecs[0].name, "H264");
  EXPECT_EQ(sd->media[0].port, 5004);
  EXPECT_EQ(sd->media[0].connection_address, "::1");
  EXPECT_TRUE(has_attribute(sd->media[0].other_attributes, "x-custom", ""));
}

TEST(SdpParser, RejectsMalformedInput) {
  struct Case { std::string text; const char* error; };
  const std::string audio = "m=audio 5004 RTP/AVP 111\r\n";
  const Case cases[] = {
      {"", "sdp: missing v=0"},
      {"\r\n\r\n", "sdp: missing v=0"},
      {"o=- 1 1 IN IP4 1.2.3.4\r\nv=0\r\n" + audio, "sdp: missing v=0"},
      {"v=1\r\n" + audio, "sdp: missing v=0"},
      {kMinimal, "sdp: no media"},
      {minimal_with("m=audio\r\n"), "sdp: bad m-line"},
      {minimal_with("m=audio 5004\r\n"), "sdp: bad m-line"},
      {minimal_with("m=audio 5004 RTP/AVP\r\n"), "sdp: bad m-line"},
      {minimal_with("m=video 99999 RTP/AVP 96\r\n"), "sdp: bad port"},
      {minimal_with("m=video -1 RTP/AVP 96\r\n"), "sdp: bad port"},
      {minimal_with("m=video x RTP/AVP 96\r\n"), "sdp: bad port"},
      {minimal_with("m=video 5004 RTP/AVP 300\r\n"), "sdp: bad payload type"},
      {minimal_with("m=video 5004 RTP/AVP 128\r\n"), "sdp: bad payload type"},
      {minimal_with("m=video 5004 RTP/AVP 9x\r\n"), "sdp: bad payload type"},
      {minimal_with("m=video 5004 RTP/AVP 96 96\r\n"), "sdp: duplicate payload type"},
      {minimal_with(audio + "a=rtpmap:111\r\n"), "sdp: bad rtpmap"},
      {minimal_with(audio + "a=rtpmap:111 opus\r\n"), "sdp: bad rtpmap"},
      {minimal_with(audio + "a=rtpmap:111 opus/\r\n"), "sdp: bad rtpmap"},
      {minimal_with(audio + "a=rtpmap:111 opus/0\r\n"), "sdp: bad rtpmap"},
      {minimal_with(audio + "a=rtpmap:111 opus/48000/0\r\n"), "sdp: bad rtpmap"},
      {minimal_with(audio + "a=rtpmap:111 opus/48000/256\r\n"), "sdp: bad rtpmap"},
      {minimal_with(audio + "a=rtpmap:111 /48000\r\n"), "sdp: bad rtpmap"},
      {minimal_with(audio + "a=rtpmap:abc opus/48000\r\n"), "sdp: bad payload type attribute"},
      {minimal_with(audio + "a=fmtp:1000 x=1\r\n"), "sdp: bad payload type attribute"},
      {minimal_with(audio + "a=rtcp-fb:x nack\r\n"), "sdp: bad payload type attribute"},
      {minimal_with(audio + "a=ssrc:abc cname:x\r\n"), "sdp: bad ssrc"},
      {minimal_with(audio + "a=ssrc:4294967296 cname:x\r\n"), "sdp: bad ssrc"},
      {minimal_with(audio + "c=IN\r\n"), "sdp: bad connection"},
      {minimal_with(audio + "c=IN IP5 1.2.3.4\r\n"), "sdp: bad connection"},
      {minimal_with(audio + "c=IN IP4 /127\r\n"), "sdp: bad connection"},
      {"v=0\r\no=- 1\r\n" + audio, "sdp: bad origin"},
      {"v=0\r\no=- x 1 IN IP4 1.2.3.4\r\n" + audio, "sdp: bad origin"},
      {"v=0\r\no=- 99999999999999999999 1 IN IP4 1.2.3.4\r\n" + audio, "sdp: bad origin"},
      {minimal_with(audio + "a\r\n"), "sdp: malformed line"},
      {minimal_with(audio + "=x\r\n"), "sdp: malformed line"},
      {minimal_with(audio + "M=x\r\n"), "sdp: malformed line"},
      {minimal_with(audio + "a=x\ry\r\n"), "sdp: malformed line"},
      {minimal_with(audio + std::string("a=x\0y\r\n", 7)), "sdp: malformed line"},
      {minimal_with(audio + "a=" + std::string(kMaxSdpLineLength, 'x') + "\r\n"), "sdp: line too long"},
  };
  for (const Case& c : cases) {
    auto sd = parse_sdp(c.text);
    EXPECT_FALSE(sd.ok()) << c.text;
    EXPECT_EQ(sd.error(), c.error) << c.text;
  }
}

TEST(SdpParser, BoundsCounts) {
  std::string lines;
  for (size_t i = 0; i < kMaxSdpMediaSections; ++i) lines += "m=audio 1 RTP/AVP 0\r\n";
  ASSERT_TRUE(parse_sdp(minimal_with(lines)).ok());  // exactly at the limit
  EXPECT_EQ(parse_sdp(minimal_with(lines + "m=audio 1 RTP/AVP 0\r\n")).error(), "sdp: too many m-lines");

  std::string many;
  for (int i = 0; i < 10000; ++i) many += "m=audio 1 RTP/AVP 0\r\n";
  EXPECT_FALSE(parse_sdp(minimal_with(many)).ok());

  std::string codecs = "m=video 5004 RTP/AVP";
  for (int pt = 0; pt < 128; ++pt) codecs += " " + std::to_string(pt);
  ASSERT_TRUE(parse_sdp(minimal_with(codecs + "\r\n")).ok());
  EXPECT_EQ(parse_sdp(minimal_with(codecs + " x\r\n")).error(), "sdp: too many codecs");

  std::string ssrcs = "m=video 5004 RTP/AVP 96\r\n";
  for (size_t i = 1; i <= kMaxSdpSsrcsPerMedia + 1; ++i) ssrcs += "a=ssrc:" + std::to_string(i) + " cname:c\r\n";
  EXPECT_EQ(parse_sdp(minimal_with(ssrcs)).error(), "sdp: too many ssrcs");

  std::string huge = minimal_with("m=audio 5004 RTP/AVP 0\r\n");
  while (huge.size() < 1024 * 1024) huge += "a=x-padding:0123456789abcdef\r\n";
  EXPECT_EQ(parse_sdp(huge).error(), "sdp: too large");
}

TEST(SdpParser, RandomGarbageIsAnError) {
  std::mt19937 rng(1234);
  for (int i = 0; i < 5000; ++i) {
    std::string text(rng() % 2048, '\0');
    for (char& c : text) c = static_cast<char>(rng());
    if (i % 2) text = "v=0\n" + text;  // get past the first check half the time
    auto sd = parse_sdp(text);
    EXPECT_FALSE(sd.ok());
  }
}

// Mutations of a real offer: whatever parses must write and parse again, reach a
// fixed point in one step, and survive negotiation.
TEST(SdpParser, MutatedOffersNeverCrash) {
  std::mt19937 rng(5000);
  const std::string base = test::chrome_offer();
  const std::string alphabet = "v=0amco \r\n:/;0123456789*-";
  int parsed = 0;
  for (int i = 0; i < 5000; ++i) {
    std::string text = base;
    const int edits = 1 + rng() % 8;
    for (int e = 0; e < edits; ++e) {
      size_t at = rng() % text.size();
      switch (rng() % 4) {
        case 0: text[at] = alphabet[rng() % alphabet.size()]; break;
        case 1: text[at] = static_cast<char>(rng()); break;
        case 2: text.erase(at, rng() % 64); break;
        case 3: text.insert(at, text.substr(rng() % text.size(), rng() % 128)); break;
      }
      if (text.empty()) text = "v";
    }
    if (rng() % 8 == 0) text.resize(rng() % text.size());
    auto sd = parse_sdp(text);
    if (!sd.ok()) continue;
    ++parsed;
    const std::string written = write_sdp(*sd);
    auto again = parse_sdp(written);
    ASSERT_TRUE(again.ok()) << again.error() << "\n" << written;
    EXPECT_EQ(write_sdp(*again), written);
    LocalMediaConfig local;
    local.transport = {"uFrg", "aPasswordOf22CharsAtLeast", {"candidate:1 1 udp 1 192.0.2.1 5004 typ host"},
                       "sha-256 00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:"
                       "CC:DD:EE:FF"};
    auto answer = create_answer(*sd, local);
    if (answer.ok()) {
      EXPECT_TRUE(parse_sdp(write_sdp(answer->first)).ok());
    }
  }
  EXPECT_GT(parsed, 100);  // the mutations must exercise the accepting paths too
}
