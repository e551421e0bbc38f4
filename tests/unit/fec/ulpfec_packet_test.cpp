// ULPFEC (RFC 5109) repairs: the header on the wire, and the encoder's
// repairs in RED on the media SSRC, rebuilding what they cover.
#include "fec/ulpfec_packet.hpp"

#include <gtest/gtest.h>

#include <random>

#include "fec/fec_bit_string.hpp"
#include "fec/fec_encoder.hpp"
#include "fec_test_packets.hpp"
#include "rtp/red_packet.hpp"

namespace peercall {
namespace {

using namespace fec_test;

constexpr uint8_t kRed = 100, kUlpfec = 101;

TEST(UlpfecPacket, ShortAndLongMasksRoundTrip) {
  for (size_t highest : {0u, 15u, 16u, 47u}) {
    UlpfecHeader h;
    h.padding = true;
    h.extension = true;
    h.csrc_count = 3;
    h.marker = true;
    h.payload_type = 96;
    h.sn_base = 65530;
    h.ts_recovery = 0xdeadbeef;
    h.length_recovery = 0x1234;
    h.protection_length = 4;
    h.mask.set(0);
    h.mask.set(highest);
    Bytes wire;
    write_ulpfec_header(h, wire);
    EXPECT_EQ(wire.size(), highest < 16 ? 14u : 18u);
    EXPECT_EQ(wire.size(), h.size());
    EXPECT_EQ(bool(wire[0] & 0x40), highest >= 16) << "L bit";
    EXPECT_FALSE(wire[0] & 0x80) << "E bit";
    wire.insert(wire.end(), {1, 2, 3, 4});
    auto parsed = parse_ulpfec(wire);
    ASSERT_TRUE(parsed.ok()) << parsed.error();
    const UlpfecHeader& p = parsed->header;
    EXPECT_TRUE(p.padding && p.extension && p.marker);
    EXPECT_EQ(p.csrc_count, 3);
    EXPECT_EQ(p.payload_type, 96);
    EXPECT_EQ(p.sn_base, 65530);
    EXPECT_EQ(p.ts_recovery, 0xdeadbeefu);
    EXPECT_EQ(p.length_recovery, 0x1234);
    EXPECT_EQ(p.mask, h.mask);
    EXPECT_EQ(Bytes(parsed->payload.begin(), parsed->payload.end()), (Bytes{1, 2, 3, 4}));
  }
}

TEST(UlpfecPacket, MalformedHeadersAreErrors) {
  UlpfecHeader h;
  h.mask.set(2);
  h.protection_length = 8;
  Bytes wire;
  write_ulpfec_header(h, wire);
  wire.resize(wire.size() + 8);
  ASSERT_TRUE(parse_ulpfec(wire).ok());
  Bytes e_bit = wire;
  e_bit[0] |= 0x80;
  EXPECT_FALSE(parse_ulpfec(e_bit).ok());
  Bytes short_payload = wire;
  short_payload.pop_back();
  EXPECT_FALSE(parse_ulpfec(short_payload).ok());
  Bytes no_mask = wire;
  no_mask[12] = no_mask[13] = 0;
  EXPECT_FALSE(parse_ulpfec(no_mask).ok());
  for (size_t cut = 0; cut < 14; ++cut)
    EXPECT_FALSE(parse_ulpfec(ByteView(wire).first(cut)).ok()) << cut;
}

// Rebuilds `missing` from a repair and the rest of what it covers, with the
// shared XOR helpers (the sim test redoes this from the RFC).
Bytes rebuild(const UlpfecPacketView& fec, const std::vector<Bytes>& others, uint16_t missing) {
  FlexFecHeader fields;
  fields.padding = fec.header.padding;
  fields.extension = fec.header.extension;
  fields.csrc_count = fec.header.csrc_count;
  fields.marker = fec.header.marker;
  fields.payload_type = fec.header.payload_type;
  fields.ts_recovery = fec.header.ts_recovery;
  fields.length_recovery = fec.header.length_recovery;
  Bytes acc = bit_string_of_repair(fields, fec.payload);
  for (const Bytes& o : others) xor_bit_string(o, acc);
  auto out = packet_from_bit_string(acc, missing, kMediaSsrc);
  return out ? *out : Bytes{};
}

TEST(UlpfecEncoder, RepairsGoInRedOnTheMediaSsrcAndRebuildEachPacket) {
  std::mt19937 rng(5);
  FecEncoderConfig config;
  config.format = FecFormat::kUlpfec;
  config.fec_payload_type = kUlpfec;
  config.red_payload_type = kRed;
  FecEncoder encoder(config);
  encoder.set_loss_rate(0.05);
  uint16_t media_sequence = 65500;  // repairs wrap with the media
  for (size_t packets : {1u, 4u, 12u, 60u}) {
    const auto frame = make_frame(media_sequence, 3000 * uint32_t(packets), packets, rng);
    media_sequence = uint16_t(media_sequence + packets);
    const uint16_t first_repair = media_sequence;
    auto repairs = encoder.protect_frame(frame, packets == 60, &media_sequence);
    ASSERT_TRUE(repairs.ok()) << repairs.error();
    ASSERT_FALSE(repairs->empty()) << packets;
    EXPECT_EQ(uint16_t(media_sequence - first_repair), repairs->size()) << "one media sequence number each";
    for (size_t r = 0; r < repairs->size(); ++r) {
      auto rtp = parse_rtp((*repairs)[r]);
      ASSERT_TRUE(rtp.ok());
      EXPECT_EQ(rtp->header.ssrc, kMediaSsrc);
      EXPECT_EQ(rtp->header.payload_type, kRed);
      EXPECT_EQ(rtp->header.sequence_number, uint16_t(first_repair + r));
      EXPECT_EQ(rtp->header.timestamp, 3000 * uint32_t(packets));
      EXPECT_FALSE(rtp->header.marker);
      auto block = parse_red_payload(rtp->payload);
      ASSERT_TRUE(block.ok());
      EXPECT_EQ(block->payload_type, kUlpfec);
      auto fec = parse_ulpfec(block->data);
      ASSERT_TRUE(fec.ok()) << fec.error();
      std::vector<size_t> covered;
      for (size_t i = 0; i < kUlpfecMaxMaskBits; ++i)
        if (fec->header.mask[i]) covered.push_back(uint16_t(fec->header.sn_base + i - peek_rtp_sequence(frame.front())));
      ASSERT_FALSE(covered.empty());
      for (size_t missing : covered) {
        ASSERT_LT(missing, frame.size());
        std::vector<Bytes> others;
        for (size_t i : covered)
          if (i != missing) others.push_back(frame[i]);
        const uint16_t seq = uint16_t(peek_rtp_sequence(frame[missing]));
        EXPECT_EQ(rebuild(*fec, others, seq), frame[missing]) << packets << " packets, #" << missing;
      }
    }
  }
  EXPECT_GT(encoder.stats().fec_packets, 0u);
}

TEST(UlpfecEncoder, RefusesWithoutMediaSequenceNumbers) {
  std::mt19937 rng(6);
  FecEncoderConfig config;
  config.format = FecFormat::kUlpfec;
  FecEncoder encoder(config);
  encoder.set_loss_rate(0.05);
  EXPECT_FALSE(encoder.protect_frame(make_frame(1, 0, 4, rng), false).ok());
}

}  // namespace
}  // namespace peercall
