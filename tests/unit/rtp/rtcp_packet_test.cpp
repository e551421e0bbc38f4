#include "rtp/rtcp_packet.hpp"

#include <gtest/gtest.h>

using namespace peercall;

namespace {

ReportBlock sample_block() {
  ReportBlock b;
  b.ssrc = 0x55667788;
  b.fraction_lost = 0x40;
  b.cumulative_lost = -2;
  b.extended_highest_seq = 0x0001ffff;
  b.jitter = 0x12;
  b.last_sr = 0x11112222;
  b.delay_since_last_sr = 0x00010000;
  return b;
}

SenderReport sample_sr() {
  SenderReport sr;
  sr.ssrc = 0x11223344;
  sr.ntp_timestamp = 0x0102030405060708;
  sr.rtp_timestamp = 0x0a0b0c0d;
  sr.packet_count = 5;
  sr.octet_count = 0x100;
  sr.reports = {sample_block()};
  return sr;
}

Bytes bytes_of(const RtcpPacket& p) {
  Bytes out;
  write_rtcp(p, out);
  return out;
}

RtcpPacket round_trip_single(const RtcpPacket& p) {
  const Bytes wire = bytes_of(p);
  auto parsed = parse_rtcp_compound(wire);
  EXPECT_TRUE(parsed.ok()) << parsed.error();
  if (!parsed.ok() || parsed->size() != 1) {
    ADD_FAILURE() << "expected exactly one packet";
    return Bye{};
  }
  return parsed->front();
}

void expect_block_eq(const ReportBlock& a, const ReportBlock& b) {
  EXPECT_EQ(a.ssrc, b.ssrc);
  EXPECT_EQ(a.fraction_lost, b.fraction_lost);
  EXPECT_EQ(a.cumulative_lost, b.cumulative_lost);
  EXPECT_EQ(a.extended_highest_seq, b.extended_highest_seq);
  EXPECT_EQ(a.jitter, b.jitter);
  EXPECT_EQ(a.last_sr, b.last_sr);
  EXPECT_EQ(a.delay_since_last_sr, b.delay_since_last_sr);
}

// One valid packet of every modelled type, for the truncation sweep.
std::vector<RtcpPacket> one_of_each() {
  return {sample_sr(), ReceiverReport{7, {sample_block(), sample_block()}},
          PictureLossIndication{1, 2}, GenericNack{1, 2, {10, 12, 40}},
          Bye{{1, 2, 3}}, SourceDescription{9, "user@host"}};
}

}  // namespace

TEST(RtcpGolden, SenderReport) {
  const Bytes expected{0x81, 0xc8, 0x00, 0x0c,  // V=2 RC=1, PT=200, 12 words follow
                       0x11, 0x22, 0x33, 0x44,  // SSRC
                       0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,  // NTP
                       0x0a, 0x0b, 0x0c, 0x0d,  // RTP timestamp
                       0x00, 0x00, 0x00, 0x05,  // packet count
                       0x00, 0x00, 0x01, 0x00,  // octet count
                       0x55, 0x66, 0x77, 0x88,  // report block: SSRC
                       0x40, 0xff, 0xff, 0xfe,  // fraction lost, cumulative lost (-2)
                       0x00, 0x01, 0xff, 0xff,  // extended highest seq
                       0x00, 0x00, 0x00, 0x12,  // jitter
                       0x11, 0x11, 0x22, 0x22,  // LSR
                       0x00, 0x01, 0x00, 0x00};  // DLSR
  EXPECT_EQ(bytes_of(sample_sr()), expected);
}

TEST(RtcpGolden, ReceiverReportWithoutBlocks) {
  EXPECT_EQ(bytes_of(ReceiverReport{0xcafebabe, {}}),
            (Bytes{0x80, 0xc9, 0x00, 0x01, 0xca, 0xfe, 0xba, 0xbe}));
}

TEST(RtcpGolden, ReceiverReportWithBlock) {
  const Bytes wire = bytes_of(ReceiverReport{0xcafebabe, {sample_block()}});
  const Bytes expected{0x81, 0xc9, 0x00, 0x07, 0xca, 0xfe, 0xba, 0xbe, 0x55, 0x66, 0x77, 0x88,
                       0x40, 0xff, 0xff, 0xfe, 0x00, 0x01, 0xff, 0xff, 0x00, 0x00, 0x00, 0x12,
                       0x11, 0x11, 0x22, 0x22, 0x00, 0x01, 0x00, 0x00};
  EXPECT_EQ(wire, expected);
}

TEST(RtcpGolden, PictureLossIndication) {
  EXPECT_EQ(bytes_of(PictureLossIndication{0x01020304, 0x05060708}),
            (Bytes{0x81, 0xce, 0x00, 0x02, 1, 2, 3, 4, 5, 6, 7, 8}));
}

TEST(RtcpGolden, GenericNackPacksPidAndBlp) {
  // 100 is the PID; 101, 103 and 116 are bits 0, 2 and 15; 117 needs a new item.
  const Bytes wire = bytes_of(GenericNack{0x01020304, 0x05060708, {100, 101, 103, 116, 117}});
  const Bytes expected{0x81, 0xcd, 0x00, 0x04, 1, 2, 3, 4, 5, 6, 7, 8,
                       0x00, 0x64, 0x80, 0x05,   // PID 100, BLP 1000 0000 0000 0101
                       0x00, 0x75, 0x00, 0x00};  // PID 117, BLP 0
  EXPECT_EQ(wire, expected);
}

TEST(RtcpGolden, Bye) {
  EXPECT_EQ(bytes_of(Bye{{0x01020304, 0x0a0b0c0d}}),
            (Bytes{0x82, 0xcb, 0x00, 0x02, 1, 2, 3, 4, 0x0a, 0x0b, 0x0c, 0x0d}));
}

TEST(RtcpGolden, SourceDescriptionCname) {
  // Chunk: SSRC, CNAME item (type 1, len 2, "ab"), null terminator + padding to 32 bits.
  EXPECT_EQ(bytes_of(SourceDescription{0x01020304, "ab"}),
            (Bytes{0x81, 0xca, 0x00, 0x03, 1, 2, 3, 4, 0x01, 0x02, 'a', 'b', 0, 0, 0, 0}));
  // "abcd" fills the chunk to 10 bytes: the terminator and padding make 12.
  EXPECT_EQ(bytes_of(SourceDescription{0x01020304, "abcd"}),
            (Bytes{0x81, 0xca, 0x00, 0x03, 1, 2, 3, 4, 0x01, 0x04, 'a', 'b', 'c', 'd', 0, 0}));
}

TEST(RtcpRoundTrip, SenderReport) {
  SenderReport in = sample_sr();
  in.reports.push_back(sample_block());
  in.reports.back().cumulative_lost = 0x7fffff;
  const RtcpPacket out = round_trip_single(in);
  ASSERT_TRUE(std::holds_alternative<SenderReport>(out));
  const auto& sr = std::get<SenderReport>(out);
  EXPECT_EQ(sr.ssrc, in.ssrc);
  EXPECT_EQ(sr.ntp_timestamp, in.ntp_timestamp);
  EXPECT_EQ(sr.rtp_timestamp, in.rtp_timestamp);
  EXPECT_EQ(sr.packet_count, in.packet_count);
  EXPECT_EQ(sr.octet_count, in.octet_count);
  ASSERT_EQ(sr.reports.size(), 2u);
  expect_block_eq(sr.reports[0], in.reports[0]);
  expect_block_eq(sr.reports[1], in.reports[1]);
}

TEST(RtcpRoundTrip, CumulativeLostIsClampedTo24BitsSigned) {
  ReceiverReport in{1, {sample_block(), sample_block()}};
  in.reports[0].cumulative_lost = 10'000'000;
  in.reports[1].cumulative_lost = -10'000'000;
  const auto out = std::get<ReceiverReport>(round_trip_single(in));
  ASSERT_EQ(out.reports.size(), 2u);
  EXPECT_EQ(out.reports[0].cumulative_lost, 0x7fffff);
  EXPECT_EQ(out.reports[1].cumulative_lost, -0x800000);
}

TEST(RtcpRoundTrip, AtMost31ReportBlocksAreWritten) {
  ReceiverReport in{1, std::vector<ReportBlock>(40, sample_block())};
  const auto out = std::get<ReceiverReport>(round_trip_single(in));
  EXPECT_EQ(out.reports.size(), kRtcpMaxReportBlocks);
}

TEST(RtcpRoundTrip, NackAcrossSequenceWrap) {
  const std::vector<uint16_t> lost{65534, 65535, 0, 5, 40, 41};
  const RtcpPacket out = round_trip_single(GenericNack{3, 4, lost});
  ASSERT_TRUE(std::holds_alternative<GenericNack>(out));
  const auto& nack = std::get<GenericNack>(out);
  EXPECT_EQ(nack.sender_ssrc, 3u);
  EXPECT_EQ(nack.media_ssrc, 4u);
  EXPECT_EQ(nack.lost_sequence_numbers, lost);
  EXPECT_EQ(bytes_of(GenericNack{3, 4, lost}).size(), 12u + 2 * 4);  // two items
}

TEST(RtcpRoundTrip, PliByeSdes) {
  const auto pli = std::get<PictureLossIndication>(round_trip_single(PictureLossIndication{5, 6}));
  EXPECT_EQ(pli.sender_ssrc, 5u);
  EXPECT_EQ(pli.media_ssrc, 6u);
  const auto bye = std::get<Bye>(round_trip_single(Bye{{1, 2, 3}}));
  EXPECT_EQ(bye.ssrcs, (std::vector<uint32_t>{1, 2, 3}));
  for (const std::string& cname : std::vector<std::string>{"", "a", "abc", "abcd", "peer-1@example", std::string(255, 'x')}) {
    const auto sd = std::get<SourceDescription>(round_trip_single(SourceDescription{42, cname}));
    EXPECT_EQ(sd.ssrc, 42u);
    EXPECT_EQ(sd.cname, cname);
  }
  const auto long_name = std::get<SourceDescription>(
      round_trip_single(SourceDescription{42, std::string(300, 'y')}));
  EXPECT_EQ(long_name.cname, std::string(255, 'y'));
}

TEST(RtcpCompound, AllTypesInOrder) {
  const std::vector<RtcpPacket> in = one_of_each();
  const Bytes wire = write_rtcp_compound(in);
  auto out = parse_rtcp_compound(wire);
  ASSERT_TRUE(out.ok()) << out.error();
  ASSERT_EQ(out->size(), in.size());
  for (size_t i = 0; i < in.size(); ++i) EXPECT_EQ((*out)[i].index(), in[i].index());
  EXPECT_EQ(std::get<SourceDescription>((*out)[5]).cname, "user@host");
  EXPECT_EQ(std::get<GenericNack>((*out)[3]).lost_sequence_numbers,
            (std::vector<uint16_t>{10, 12, 40}));
}

TEST(RtcpCompound, UnknownTypesAndFormatsAreSkipped) {
  Bytes wire = bytes_of(ReceiverReport{1, {}});
  // APP (204) with name "TEST" and no data.
  wire.insert(wire.end(), {0x80, 0xcc, 0x00, 0x02, 0, 0, 0, 1, 'T', 'E', 'S', 'T'});
  // PSFB FMT 15 (application layer feedback, e.g. REMB) with 4 bytes of FCI.
  wire.insert(wire.end(), {0x8f, 0xce, 0x00, 0x03, 0, 0, 0, 1, 0, 0, 0, 0, 'R', 'E', 'M', 'B'});
  // XR (207), an empty body.
  wire.insert(wire.end(), {0x80, 0xcf, 0x00, 0x00});
  const Bytes pli = bytes_of(PictureLossIndication{1, 2});
  wire.insert(wire.end(), pli.begin(), pli.end());
  auto out = parse_rtcp_compound(wire);
  ASSERT_TRUE(out.ok()) << out.error();
  ASSERT_EQ(out->size(), 2u);
  EXPECT_TRUE(std::holds_alternative<ReceiverReport>((*out)[0]));
  EXPECT_TRUE(std::holds_alternative<PictureLossIndication>((*out)[1]));
}

TEST(RtcpCompound, SdesSkipsOtherItemsAndReadsEveryChunk) {
  const Bytes wire{0x82, 0xca, 0x00, 0x06,                                  // SC=2, 6 words follow
                   0, 0, 0, 1, 0x02, 0x03, 'B', 'o', 'b', 0x01, 0x01, 'c',  // NAME then CNAME
                   0, 0, 0, 0,                                              // end + padding
                   0, 0, 0, 2, 0x05, 0x01, 'x', 0x00};                      // LOC only
  auto out = parse_rtcp_compound(wire);
  ASSERT_TRUE(out.ok()) << out.error();
  ASSERT_EQ(out->size(), 2u);
  EXPECT_EQ(std::get<SourceDescription>((*out)[0]).ssrc, 1u);
  EXPECT_EQ(std::get<SourceDescription>((*out)[0]).cname, "c");
  EXPECT_EQ(std::get<SourceDescription>((*out)[1]).ssrc, 2u);
  EXPECT_EQ(std::get<SourceDescription>((*out)[1]).cname, "");
}

TEST(RtcpCompound, PaddingOnTheLastPacket) {
  Bytes wire = bytes_of(ReceiverReport{1, {}});
  Bytes bye{0xa1, 0xcb, 0x00, 0x02, 0, 0, 0, 9, 0, 0, 0, 4};  // P bit, 4 bytes padding
  wire.insert(wire.end(), bye.begin(), bye.end());
  auto out = parse_rtcp_compound(wire);
  ASSERT_TRUE(out.ok()) << out.error();
  ASSERT_EQ(out->size(), 2u);
  EXPECT_EQ(std::get<Bye>((*out)[1]).ssrcs, std::vector<uint32_t>{9});

  for (uint8_t bad_pad : {0, 9}) {
    bye.back() = bad_pad;
    auto bad = parse_rtcp_compound(bye);
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.error(), "rtcp: bad padding");
  }
  EXPECT_FALSE(parse_rtcp_compound(Bytes{0xa0, 0xcb, 0x00, 0x00}).ok());  // padding, no body
}

TEST(RtcpReject, EmptyAndTrailingGarbage) {
  EXPECT_FALSE(parse_rtcp_compound(Bytes{}).ok());
  Bytes wire = bytes_of(PictureLossIndication{1, 2});
  wire.push_back(0x80);
  EXPECT_FALSE(parse_rtcp_compound(wire).ok());
}

TEST(RtcpReject, BadVersionInAnyPacket) {
  Bytes wire = write_rtcp_compound({ReceiverReport{1, {}}, Bye{{1}}});
  ASSERT_TRUE(parse_rtcp_compound(wire).ok());
  wire[8] = uint8_t((wire[8] & 0x3f) | 0x40);  // second packet: version 1
  auto out = parse_rtcp_compound(wire);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error(), "rtcp: bad version");
}

TEST(RtcpReject, AbsurdAndOverrunningLength) {
  Bytes wire = bytes_of(ReceiverReport{1, {}});
  wire[2] = 0xff;
  wire[3] = 0xff;
  auto out = parse_rtcp_compound(wire);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error(), "rtcp: length overruns datagram");
  wire[2] = 0;
  wire[3] = 2;  // one word more than present
  EXPECT_FALSE(parse_rtcp_compound(wire).ok());
}

TEST(RtcpReject, CountsThatDoNotFit) {
  // RR claiming 2 report blocks with room for 1.
  Bytes rr = bytes_of(ReceiverReport{1, {sample_block()}});
  rr[0] = 0x82;
  auto out = parse_rtcp_compound(rr);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error(), "rtcp: report count overruns packet");
  // SR claiming 31 blocks with none present.
  Bytes sr = bytes_of(SenderReport{});
  sr[0] = 0x9f;
  EXPECT_FALSE(parse_rtcp_compound(sr).ok());
  // BYE claiming 3 SSRCs with room for 1.
  Bytes bye = bytes_of(Bye{{1}});
  bye[0] = 0x83;
  EXPECT_FALSE(parse_rtcp_compound(bye).ok());
  // SDES claiming 2 chunks with room for 1.
  Bytes sdes = bytes_of(SourceDescription{1, "ab"});
  sdes[0] = 0x82;
  EXPECT_FALSE(parse_rtcp_compound(sdes).ok());
  // SDES item length running past the packet.
  Bytes item = bytes_of(SourceDescription{1, "ab"});
  item[9] = 40;
  EXPECT_FALSE(parse_rtcp_compound(item).ok());
  // PLI without the media SSRC.
  EXPECT_FALSE(parse_rtcp_compound(Bytes{0x81, 0xce, 0x00, 0x01, 0, 0, 0, 1}).ok());
}

TEST(RtcpReject, EveryTruncationOfEveryPacketType) {
  for (const RtcpPacket& p : one_of_each()) {
    const Bytes wire = bytes_of(p);
    ASSERT_TRUE(parse_rtcp_compound(wire).ok());
    for (size_t len = 0; len < wire.size(); ++len) {
      EXPECT_FALSE(parse_rtcp_compound(ByteView(wire).first(len)).ok())
          << "type " << int(wire[1]) << " length " << len;
    }
  }
}

TEST(RtcpReject, ShrunkLengthFieldIsCaughtByTheBodyChecks) {
  // The length field agrees with a shortened datagram, so the per-type checks must catch it.
  for (const RtcpPacket& p : {RtcpPacket{sample_sr()}, RtcpPacket{ReceiverReport{1, {sample_block()}}}}) {
    Bytes wire = bytes_of(p);
    wire.resize(wire.size() - 4);
    wire[3] = uint8_t(wire[3] - 1);
    EXPECT_FALSE(parse_rtcp_compound(wire).ok());
  }
}
