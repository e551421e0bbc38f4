#include "fec/flexfec_packet.hpp"

#include <gtest/gtest.h>

#include <random>

#include "rtp/rtp_packet.hpp"

namespace peercall {
namespace {

Bytes repair_datagram(const FlexFecHeader& fec, size_t streams, ByteView repair_payload) {
  RtpHeader rtp;
  rtp.payload_type = 118;
  rtp.sequence_number = 7;
  rtp.timestamp = 90000;
  rtp.ssrc = 0xAABBCCDD;
  for (size_t i = 0; i < streams; ++i) rtp.csrcs.push_back(0x1000 + uint32_t(i));
  Bytes payload;
  write_flexfec_header(fec, payload);
  payload.insert(payload.end(), repair_payload.begin(), repair_payload.end());
  Bytes out;
  write_rtp(rtp, payload, out);
  return out;
}

FlexFecHeader recovery_fields() {
  FlexFecHeader h;
  h.padding = true;
  h.extension = false;
  h.csrc_count = 0x5;
  h.marker = true;
  h.payload_type = 0x61;
  h.length_recovery = 0xBEEF;
  h.ts_recovery = 0x01020304;
  return h;
}

class MaskSizeTest : public ::testing::TestWithParam<size_t> {};

TEST_P(MaskSizeTest, FlexibleMaskRoundTripsWithTheSmallestMaskThatFits) {
  const size_t highest = GetParam();  // highest protected offset
  FlexFecHeader h = recovery_fields();
  FlexFecMask mask;
  mask.sn_base = 65530;  // the protected range wraps
  mask.bits.set(0);
  mask.bits.set(3);
  mask.bits.set(highest);
  h.masks.push_back(mask);
  const Bytes repair = {1, 2, 3, 4, 5};
  const Bytes datagram = repair_datagram(h, 1, repair);

  const size_t mask_bytes = highest < 15 ? 2 : highest < 46 ? 6 : 14;
  EXPECT_EQ(h.size(), 8 + 2 + mask_bytes);
  EXPECT_EQ(datagram.size(), 12 + 4 + h.size() + repair.size());

  auto parsed = parse_flexfec_datagram(datagram);
  ASSERT_TRUE(parsed) << parsed.error();
  const FlexFecHeader& p = parsed->fec;
  EXPECT_EQ(p.variant, FlexFecVariant::kFlexibleMask);
  EXPECT_TRUE(p.padding);
  EXPECT_FALSE(p.extension);
  EXPECT_EQ(p.csrc_count, 5);
  EXPECT_TRUE(p.marker);
  EXPECT_EQ(p.payload_type, 0x61);
  EXPECT_EQ(p.length_recovery, 0xBEEF);
  EXPECT_EQ(p.ts_recovery, 0x01020304u);
  ASSERT_EQ(p.masks.size(), 1u);
  EXPECT_EQ(p.masks[0].sn_base, 65530);
  EXPECT_EQ(p.masks[0].bits, mask.bits);
  EXPECT_EQ(p.masks[0].size_bits, highest < 15 ? 15u : highest < 46 ? 46u : 110u);
  EXPECT_EQ(Bytes(parsed->repair_payload.begin(), parsed->repair_payload.end()), repair);
  const auto seqs = protected_sequence_numbers(p.masks[0]);
  ASSERT_EQ(seqs.size(), highest == 3 ? 2u : 3u);
  EXPECT_EQ(seqs[0], 65530);
  EXPECT_EQ(seqs[1], 65533);
  EXPECT_EQ(seqs.back(), uint16_t(65530 + highest));

  // Writing the parsed header again gives the same bytes.
  EXPECT_EQ(repair_datagram(p, 1, parsed->repair_payload), datagram);
}

INSTANTIATE_TEST_SUITE_P(AllSizes, MaskSizeTest, ::testing::Values(3, 14, 15, 45, 46, 109));

TEST(FlexFecPacket, WireLayoutOfKBitsAndMaskBits) {
  FlexFecHeader h;
  FlexFecMask mask;
  mask.sn_base = 0x1234;
  mask.bits.set(0);    // first bit after k0
  mask.bits.set(14);   // last bit of part 0
  mask.bits.set(15);   // first bit after k1
  mask.bits.set(45);   // last bit of part 1
  mask.bits.set(46);   // first bit of part 2
  mask.bits.set(109);  // last bit
  h.masks.push_back(mask);
  Bytes out;
  write_flexfec_header(h, out);
  ASSERT_EQ(out.size(), 8u + 16u);
  EXPECT_EQ(out[0] & 0xC0, 0);  // R=0 F=0
  EXPECT_EQ(out[8], 0x12);
  EXPECT_EQ(out[9], 0x34);
  EXPECT_EQ(out[10], 0x80 | 0x40);  // k=1 (more follows), bit 0
  EXPECT_EQ(out[11], 0x01);         // bit 14
  EXPECT_EQ(out[12], 0x80 | 0x40);  // k=1, bit 15
  EXPECT_EQ(out[15], 0x01);         // bit 45
  EXPECT_EQ(out[16], 0x80);         // bit 46, no k bit in the last part
  EXPECT_EQ(out[23], 0x01);         // bit 109

  // A 15-bit mask ends with k=0.
  FlexFecHeader small;
  FlexFecMask m15;
  m15.bits.set(0);
  small.masks.push_back(m15);
  Bytes s;
  write_flexfec_header(small, s);
  ASSERT_EQ(s.size(), 12u);
  EXPECT_EQ(s[10], 0x40);
  EXPECT_EQ(s[11], 0x00);
}

TEST(FlexFecPacket, SeveralProtectedStreamsEachHaveAMask) {
  FlexFecHeader h = recovery_fields();
  for (uint16_t i = 0; i < 3; ++i) {
    FlexFecMask mask;
    mask.sn_base = uint16_t(100 * i);
    mask.bits.set(i * 20);  // 15-, 46- and 46-bit masks
    h.masks.push_back(mask);
  }
  const Bytes datagram = repair_datagram(h, 3, Bytes{9});
  auto parsed = parse_flexfec_datagram(datagram);
  ASSERT_TRUE(parsed) << parsed.error();
  ASSERT_EQ(parsed->fec.masks.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(parsed->fec.masks[i].sn_base, 100 * i);
    EXPECT_EQ(parsed->fec.masks[i].bits, h.masks[i].bits);
  }
  EXPECT_EQ(parsed->repair_payload.size(), 1u);
}

TEST(FlexFecPacket, FixedColumnsRowsRoundTrip) {
  FlexFecHeader h = recovery_fields();
  h.variant = FlexFecVariant::kFixedColumnsRows;
  h.columns_rows.push_back({65535, 4, 3});
  const Bytes datagram = repair_datagram(h, 1, Bytes{1, 2});
  EXPECT_EQ(datagram[16] & 0xC0, 0x40);
  auto parsed = parse_flexfec_datagram(datagram);
  ASSERT_TRUE(parsed) << parsed.error();
  ASSERT_EQ(parsed->fec.variant, FlexFecVariant::kFixedColumnsRows);
  ASSERT_EQ(parsed->fec.columns_rows.size(), 1u);
  EXPECT_EQ(parsed->fec.columns_rows[0].columns, 4);
  EXPECT_EQ(parsed->fec.columns_rows[0].rows, 3);
  EXPECT_EQ(protected_sequence_numbers(parsed->fec.columns_rows[0]),
            (std::vector<uint16_t>{65535, 3, 7}));
  EXPECT_EQ(protected_sequence_numbers(FlexFecColumnsRows{10, 3, 0}),
            (std::vector<uint16_t>{10, 11, 12}));
  EXPECT_EQ(repair_datagram(parsed->fec, 1, parsed->repair_payload), datagram);
}

TEST(FlexFecPacket, RetransmissionRoundTrip) {
  FlexFecHeader h = recovery_fields();
  h.variant = FlexFecVariant::kRetransmission;
  h.sequence_number = 4242;
  h.ssrc = 0x11223344;
  const Bytes datagram = repair_datagram(h, 0, Bytes{7, 7, 7});
  EXPECT_EQ(datagram[12] & 0xC0, 0x80);  // no CSRC: the FEC header starts at 12
  auto parsed = parse_flexfec_datagram(datagram);
  ASSERT_TRUE(parsed) << parsed.error();
  EXPECT_EQ(parsed->fec.variant, FlexFecVariant::kRetransmission);
  EXPECT_EQ(parsed->fec.sequence_number, 4242);
  EXPECT_EQ(parsed->fec.ts_recovery, 0x01020304u);
  EXPECT_EQ(parsed->fec.ssrc, 0x11223344u);
  EXPECT_EQ(parsed->repair_payload.size(), 3u);
}

TEST(FlexFecPacket, RejectsReservedVariantMissingStreamsAndZeroColumns) {
  FlexFecHeader h = recovery_fields();
  FlexFecMask mask;
  mask.bits.set(0);
  h.masks.push_back(mask);
  Bytes datagram = repair_datagram(h, 1, {});
  datagram[16] |= 0xC0;  // R=1 F=1 (after the 12-byte header and one CSRC)
  EXPECT_FALSE(parse_flexfec_datagram(datagram));

  EXPECT_FALSE(parse_flexfec_datagram(repair_datagram(h, 0, {})));  // no CSRC

  FlexFecHeader ld = recovery_fields();
  ld.variant = FlexFecVariant::kFixedColumnsRows;
  ld.columns_rows.push_back({1, 0, 0});
  EXPECT_FALSE(parse_flexfec_datagram(repair_datagram(ld, 1, {})));
}

TEST(FlexFecPacket, EveryTruncationIsRejected) {
  FlexFecHeader h = recovery_fields();
  FlexFecMask mask;
  mask.bits.set(100);
  h.masks.push_back(mask);
  const Bytes datagram = repair_datagram(h, 1, {});
  ASSERT_TRUE(parse_flexfec_datagram(datagram));
  for (size_t size = 0; size < datagram.size(); ++size) {
    EXPECT_FALSE(parse_flexfec_datagram(ByteView(datagram).first(size))) << size;
  }
}

TEST(FlexFecPacket, RandomBytesNeverCrash) {
  std::mt19937 rng(8627);
  size_t accepted = 0;
  for (int round = 0; round < 20000; ++round) {
    Bytes bytes(rng() % 64);
    for (auto& b : bytes) b = uint8_t(rng());
    if (!bytes.empty()) bytes[0] = uint8_t(0x80 | (bytes[0] & 0x3f));  // mostly valid RTP
    auto parsed = parse_flexfec_datagram(bytes);
    if (!parsed) continue;
    ++accepted;
    EXPECT_LE(parsed->fec.size() + parsed->repair_payload.size(), bytes.size());
  }
  EXPECT_GT(accepted, 0u);  // the loop reached the FEC parser
}

}  // namespace
}  // namespace peercall
