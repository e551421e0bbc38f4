#include "rtp/rtp_packet.hpp"

#include <gtest/gtest.h>

#include "rtp/rtcp_packet.hpp"

using namespace peercall;

namespace {

Bytes sample_payload() { return {0xaa, 0xbb, 0xcc}; }

RtpHeader sample_header() {
  RtpHeader h;
  h.marker = true;
  h.payload_type = 96;
  h.sequence_number = 0x1234;
  h.timestamp = 0xdeadbeef;
  h.ssrc = 0x01020304;
  return h;
}

Bytes build(const RtpHeader& h, ByteView payload) {
  Bytes out;
  write_rtp(h, payload, out);
  return out;
}

}  // namespace

TEST(RtpPacket, GoldenBytes) {
  const Bytes out = build(sample_header(), sample_payload());
  const Bytes expected{0x80, 0xe0, 0x12, 0x34, 0xde, 0xad, 0xbe, 0xef,
                       0x01, 0x02, 0x03, 0x04, 0xaa, 0xbb, 0xcc};
  EXPECT_EQ(out, expected);
}

TEST(RtpPacket, GoldenBytesWithCsrcsNoMarker) {
  RtpHeader h = sample_header();
  h.marker = false;
  h.payload_type = 111;
  h.csrcs = {0x11111111, 0x22222222};
  const Bytes out = build(h, {});
  const Bytes expected{0x82, 0x6f, 0x12, 0x34, 0xde, 0xad, 0xbe, 0xef, 0x01, 0x02,
                       0x03, 0x04, 0x11, 0x11, 0x11, 0x11, 0x22, 0x22, 0x22, 0x22};
  EXPECT_EQ(out, expected);
}

TEST(RtpPacket, WriteAppends) {
  Bytes out{9, 9};
  write_rtp(sample_header(), sample_payload(), out);
  ASSERT_EQ(out.size(), 2 + kRtpHeaderSize + 3);
  EXPECT_EQ(out[0], 9);
  EXPECT_EQ(out[2], 0x80);
}

TEST(RtpPacket, RoundTripWithMarkerAndCsrcs) {
  for (bool marker : {false, true}) {
    RtpHeader h = sample_header();
    h.marker = marker;
    h.csrcs = {1, 2, 3};
    const Bytes payload = sample_payload();
    const Bytes wire = build(h, payload);
    auto parsed = parse_rtp(wire);
    ASSERT_TRUE(parsed.ok()) << parsed.error();
    EXPECT_EQ(parsed->header.marker, marker);
    EXPECT_EQ(parsed->header.payload_type, 96);
    EXPECT_EQ(parsed->header.sequence_number, 0x1234);
    EXPECT_EQ(parsed->header.timestamp, 0xdeadbeefu);
    EXPECT_EQ(parsed->header.ssrc, 0x01020304u);
    EXPECT_EQ(parsed->header.csrcs, (std::vector<uint32_t>{1, 2, 3}));
    EXPECT_EQ(Bytes(parsed->payload.begin(), parsed->payload.end()), payload);
    // The payload is a view into the datagram, not a copy.
    EXPECT_EQ(parsed->payload.data(), wire.data() + kRtpHeaderSize + 12);
  }
}

TEST(RtpPacket, TooManyCsrcsAreCappedAt15) {
  RtpHeader h = sample_header();
  for (uint32_t i = 0; i < 20; ++i) h.csrcs.push_back(i);
  const Bytes wire = build(h, sample_payload());
  auto parsed = parse_rtp(wire);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->header.csrcs.size(), kRtpMaxCsrcs);
  EXPECT_EQ(parsed->payload.size(), 3u);
}

TEST(RtpPacket, ExtensionIsSkipped) {
  // X bit, one CSRC, then an extension with profile 0xBEDE and 2 words.
  const Bytes wire{0x91, 0x60, 0x00, 0x01, 0, 0, 0, 2, 0, 0, 0, 3,  // header, CC=1
                   0, 0, 0, 7,                                      // CSRC
                   0xbe, 0xde, 0x00, 0x02, 1, 2, 3, 4, 5, 6, 7, 8,  // extension
                   0x42, 0x43};
  auto parsed = parse_rtp(wire);
  ASSERT_TRUE(parsed.ok()) << parsed.error();
  EXPECT_EQ(parsed->header.csrcs, std::vector<uint32_t>{7});
  EXPECT_EQ(Bytes(parsed->payload.begin(), parsed->payload.end()), (Bytes{0x42, 0x43}));
}

TEST(RtpPacket, ExtensionOverrunningIsRejected) {
  Bytes wire{0x90, 0x60, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0xbe, 0xde, 0x00, 0x03, 1, 2, 3, 4};
  auto parsed = parse_rtp(wire);
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error(), "rtp: bad extension length");
  wire.resize(14);  // extension header itself cut
  EXPECT_FALSE(parse_rtp(wire).ok());
}

TEST(RtpPacket, PaddingIsStripped) {
  Bytes wire = build(sample_header(), sample_payload());
  wire[0] |= 0x20;
  wire.insert(wire.end(), {0, 0, 3});
  auto parsed = parse_rtp(wire);
  ASSERT_TRUE(parsed.ok()) << parsed.error();
  EXPECT_EQ(Bytes(parsed->payload.begin(), parsed->payload.end()), sample_payload());
}

TEST(RtpPacket, PaddingCoveringWholePayloadGivesEmptyPayload) {
  Bytes wire = build(sample_header(), Bytes{0, 0, 0, 4});
  wire[0] |= 0x20;
  auto parsed = parse_rtp(wire);
  ASSERT_TRUE(parsed.ok()) << parsed.error();
  EXPECT_TRUE(parsed->payload.empty());
}

TEST(RtpPacket, BadPaddingIsRejected) {
  for (const Bytes& payload : {Bytes{}, Bytes{1, 2, 0}, Bytes{1, 2, 4}, Bytes{1, 2, 255}}) {
    Bytes wire = build(sample_header(), payload);
    wire[0] |= 0x20;
    auto parsed = parse_rtp(wire);
    ASSERT_FALSE(parsed.ok());
    EXPECT_EQ(parsed.error(), "rtp: bad padding");
  }
}

TEST(RtpPacket, BadVersionIsRejected) {
  for (uint8_t version : {0, 1, 3}) {
    Bytes wire = build(sample_header(), sample_payload());
    wire[0] = uint8_t((wire[0] & 0x3f) | version << 6);
    auto parsed = parse_rtp(wire);
    ASSERT_FALSE(parsed.ok());
    EXPECT_EQ(parsed.error(), "rtp: bad version");
  }
}

TEST(RtpPacket, EveryTruncationOfTheHeaderIsRejected) {
  RtpHeader h = sample_header();
  h.csrcs = {1, 2};
  Bytes wire = build(h, {});
  wire[0] |= 0x10;  // add a one-word extension after the CSRCs
  wire.insert(wire.end(), {0xbe, 0xde, 0, 1, 9, 9, 9, 9});
  ASSERT_TRUE(parse_rtp(wire).ok());
  for (size_t len = 0; len < wire.size(); ++len) {
    EXPECT_FALSE(parse_rtp(ByteView(wire).first(len)).ok()) << "length " << len;
  }
}

TEST(RtpPacket, CsrcCountBeyondDatagramIsRejected) {
  Bytes wire = build(sample_header(), Bytes(8, 0));
  wire[0] = 0x8f;  // claims 15 CSRCs = 60 bytes, only 8 follow
  auto parsed = parse_rtp(wire);
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error(), "rtp: truncated header");
}

TEST(RtpDemux, RtcpAndRtpAreTellApart) {
  EXPECT_FALSE(is_rtcp(build(sample_header(), sample_payload())));
  RtpHeader opus = sample_header();
  opus.payload_type = 111;
  EXPECT_FALSE(is_rtcp(build(opus, sample_payload())));
  opus.marker = false;
  opus.payload_type = 0;
  EXPECT_FALSE(is_rtcp(build(opus, sample_payload())));

  const std::vector<RtcpPacket> kinds{SenderReport{}, ReceiverReport{}, SourceDescription{1, "x"},
                                      Bye{{1}}, GenericNack{1, 2, {3}},
                                      PictureLossIndication{1, 2}};
  for (const RtcpPacket& p : kinds) {
    Bytes wire;
    write_rtcp(p, wire);
    EXPECT_TRUE(is_rtcp(wire)) << "packet type " << int(wire[1]);
  }
}

TEST(RtpDemux, BoundariesOfTheRtcpRange) {
  auto datagram = [](uint8_t second) { return Bytes{0x80, second, 0, 1, 0, 0, 0, 0}; };
  EXPECT_TRUE(is_rtcp(datagram(192)));
  EXPECT_TRUE(is_rtcp(datagram(223)));
  EXPECT_FALSE(is_rtcp(datagram(191)));
  EXPECT_FALSE(is_rtcp(datagram(224)));
  EXPECT_FALSE(is_rtcp(Bytes{0x40, 200, 0, 1}));  // version 1
  EXPECT_FALSE(is_rtcp(Bytes{0x80, 200}));        // shorter than an RTCP header
  EXPECT_FALSE(is_rtcp(Bytes{}));
}
