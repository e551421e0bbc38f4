#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>

#include "fec/fec_encoder.hpp"
#include "fec/fec_receiver.hpp"
#include "fec/flexfec_packet.hpp"
#include "fec_test_packets.hpp"

namespace peercall {
namespace {

using namespace fec_test;

FecEncoder make_encoder(double loss, size_t burst = 1, uint16_t first_seq = 1000) {
  FecEncoderConfig config;
  config.fec_ssrc = kFecSsrc;
  config.fec_payload_type = kFecPt;
  config.first_sequence_number = first_seq;
  FecEncoder encoder(config);
  encoder.set_loss_rate(loss, burst);
  return encoder;
}

FecReceiver make_receiver() {
  FecReceiverConfig config;
  config.media_ssrc = kMediaSsrc;
  config.fec_ssrc = kFecSsrc;
  return FecReceiver(config);
}

uint16_t seq_of(const Bytes& p) { return uint16_t(p[2] << 8 | p[3]); }

// Delivers the frame without the `lost` media indices (and `lost_fec`), media
// first; returns what the receiver rebuilt, by sequence number.
std::map<uint16_t, Bytes> deliver(FecReceiver& receiver, const std::vector<Bytes>& media,
                                  const std::vector<Bytes>& fec, const std::set<size_t>& lost,
                                  const std::set<size_t>& lost_fec = {}) {
  std::map<uint16_t, Bytes> rebuilt;
  auto keep = [&](std::vector<Bytes> packets) {
    for (auto& p : packets) {
      EXPECT_FALSE(rebuilt.count(seq_of(p))) << "rebuilt twice";
      rebuilt[seq_of(p)] = std::move(p);
    }
  };
  for (size_t i = 0; i < media.size(); ++i) {
    if (!lost.count(i)) keep(receiver.on_media_packet(media[i]));
  }
  for (size_t j = 0; j < fec.size(); ++j) {
    if (!lost_fec.count(j)) keep(receiver.on_fec_packet(fec[j]));
  }
  return rebuilt;
}

TEST(FecRecovery, RepairPacketsCarryTheirOwnStreamAndTheFrameTimestamp) {
  std::mt19937 rng(1);
  auto encoder = make_encoder(0.05);
  const auto media = make_frame(500, 123456, 20, rng);
  auto fec = encoder.protect_frame(media, false);
  ASSERT_TRUE(fec) << fec.error();
  ASSERT_FALSE(fec->empty());
  uint16_t expected_seq = 1000;
  for (const Bytes& p : *fec) {
    auto parsed = parse_flexfec_datagram(p);
    ASSERT_TRUE(parsed) << parsed.error();
    EXPECT_EQ(parsed->rtp.ssrc, kFecSsrc);
    EXPECT_EQ(parsed->rtp.payload_type, kFecPt);
    EXPECT_EQ(parsed->rtp.timestamp, 123456u);
    EXPECT_EQ(parsed->rtp.sequence_number, expected_seq++);
    EXPECT_FALSE(parsed->rtp.marker);
    EXPECT_EQ(parsed->rtp.csrcs, std::vector<uint32_t>{kMediaSsrc});
    EXPECT_EQ(parsed->fec.variant, FlexFecVariant::kFlexibleMask);
  }
  EXPECT_GT(encoder.stats().byte_overhead(), 0.0);
  EXPECT_LE(encoder.stats().fec_packets, 10u);
}

TEST(FecRecovery, NoLossNoRepairPackets) {
  std::mt19937 rng(2);
  auto encoder = make_encoder(0.0);
  auto fec = encoder.protect_frame(make_frame(1, 1, 20, rng), true);
  ASSERT_TRUE(fec);
  EXPECT_TRUE(fec->empty());
  EXPECT_EQ(encoder.stats().byte_overhead(), 0.0);
}

TEST(FecRecovery, EverySingleMissingPacketIsRebuiltByteForByte) {
  std::mt19937 rng(3);
  for (double loss : {0.002, 0.05, 0.2}) {
    auto encoder = make_encoder(loss);
    const auto media = make_frame(700, 9000, 25, rng);
    auto fec = encoder.protect_frame(media, false);
    ASSERT_TRUE(fec) << fec.error();
    for (size_t lost = 0; lost < media.size(); ++lost) {
      auto receiver = make_receiver();
      const auto rebuilt = deliver(receiver, media, *fec, {lost});
      ASSERT_EQ(rebuilt.size(), 1u) << loss << " " << lost;
      EXPECT_EQ(rebuilt.begin()->second, media[lost]) << loss << " " << lost;
      EXPECT_EQ(receiver.stats().packets_recovered, 1u);
      EXPECT_EQ(receiver.stats().bad_fec_packets, 0u);
    }
  }
}

TEST(FecRecovery, RepairBeforeMediaWorksToo) {
  std::mt19937 rng(4);
  auto encoder = make_encoder(0.05);
  const auto media = make_frame(10, 1, 12, rng);
  auto fec = encoder.protect_frame(media, false);
  ASSERT_TRUE(fec);
  auto receiver = make_receiver();
  std::map<uint16_t, Bytes> rebuilt;
  receiver.on_media_packet(media[0]);  // the stream is known
  for (const auto& p : *fec) EXPECT_TRUE(receiver.on_fec_packet(p).empty());
  for (size_t i = 1; i < media.size(); ++i) {
    if (i == 7) continue;
    // A repair short of one packet rebuilds it even if it is only late; the
    // late original is then a duplicate and yields nothing.
    for (auto& p : receiver.on_media_packet(media[i])) {
      EXPECT_FALSE(rebuilt.count(seq_of(p)));
      rebuilt[seq_of(p)] = std::move(p);
    }
  }
  ASSERT_TRUE(rebuilt.count(seq_of(media[7])));
  for (const auto& [seq, packet] : rebuilt) EXPECT_EQ(packet, media[uint16_t(seq - 10)]);
  EXPECT_EQ(receiver.stats().packets_recovered, rebuilt.size());
}

TEST(FecRecovery, TwoLossesInDifferentGroupsAreRecovered) {
  std::mt19937 rng(5);
  auto encoder = make_encoder(0.05);
  const auto media = make_frame(100, 1, 20, rng);
  auto fec = encoder.protect_frame(media, false);
  ASSERT_TRUE(fec);
  size_t pairs = 0;
  for (size_t a = 0; a < media.size(); ++a) {
    for (size_t b = a + 1; b < media.size(); ++b) {
      auto receiver = make_receiver();
      const auto rebuilt = deliver(receiver, media, *fec, {a, b});
      ASSERT_EQ(rebuilt.size(), 2u) << a << " " << b;  // every pair: two covers each
      EXPECT_EQ(rebuilt.at(seq_of(media[a])), media[a]);
      EXPECT_EQ(rebuilt.at(seq_of(media[b])), media[b]);
      ++pairs;
    }
  }
  EXPECT_EQ(pairs, 190u);
}

TEST(FecRecovery, InterleavedGroupsRecoverTwoLossesInDifferentGroups) {
  // Light loss: 1-D interleaved groups (i mod k).
  std::mt19937 rng(6);
  auto encoder = make_encoder(0.01, 3);
  const auto media = make_frame(100, 1, 20, rng);
  const auto plan = encoder.plan(20, false);
  ASSERT_EQ(plan.layout, FecLayout::kInterleaved);
  const size_t k = plan.groups.size();
  ASSERT_GE(k, 3u);
  auto fec = encoder.protect_frame(media, false);
  ASSERT_TRUE(fec);
  auto receiver = make_receiver();
  const auto rebuilt = deliver(receiver, media, *fec, {2, 2 + 1});  // groups 2 and 3 mod k
  ASSERT_EQ(rebuilt.size(), 2u);
  EXPECT_EQ(rebuilt.at(seq_of(media[2])), media[2]);
  EXPECT_EQ(rebuilt.at(seq_of(media[3])), media[3]);
}

TEST(FecRecovery, BurstOfThreeIsRecoveredWithInterleaving) {
  std::mt19937 rng(7);
  for (double loss : {0.01, 0.05}) {
    auto encoder = make_encoder(loss, 3);
    const auto media = make_frame(4000, 1, 24, rng);
    auto fec = encoder.protect_frame(media, false);
    ASSERT_TRUE(fec);
    for (size_t start = 0; start + 3 <= media.size(); ++start) {
      auto receiver = make_receiver();
      const auto rebuilt = deliver(receiver, media, *fec, {start, start + 1, start + 2});
      ASSERT_EQ(rebuilt.size(), 3u) << loss << " " << start;
      for (size_t i = start; i < start + 3; ++i) EXPECT_EQ(rebuilt.at(seq_of(media[i])), media[i]);
    }
  }
}

TEST(FecRecovery, RecoveryIteratesThroughARecoveredPacket) {
  // Grid: lose a whole row's worth in one column pair so one repair must wait
  // for another's result.
  std::mt19937 rng(8);
  auto encoder = make_encoder(0.05);
  const auto media = make_frame(1, 1, 20, rng);
  const auto plan = encoder.plan(20, false);
  auto fec = encoder.protect_frame(media, false);
  ASSERT_TRUE(fec);
  // Find two packets that share a repair, and drop the other repair of one.
  ASSERT_GE(plan.groups.size(), 2u);
  const auto& g = plan.groups[0];
  const size_t a = g[0], b = g[1];
  size_t other_of_a = 0;
  for (size_t j = 1; j < plan.groups.size(); ++j) {
    for (size_t i : plan.groups[j]) if (i == a) other_of_a = j;
  }
  ASSERT_NE(other_of_a, 0u) << "every packet is covered twice at 5%";
  auto receiver = make_receiver();
  const auto rebuilt = deliver(receiver, media, *fec, {a, b}, {other_of_a});
  // b comes back through its second repair, then a through repair 0.
  ASSERT_EQ(rebuilt.size(), 2u);
  EXPECT_EQ(rebuilt.at(seq_of(media[a])), media[a]);
  EXPECT_EQ(rebuilt.at(seq_of(media[b])), media[b]);
}

TEST(FecRecovery, SequenceNumbersWrapInsideTheFrame) {
  std::mt19937 rng(9);
  auto encoder = make_encoder(0.05, 1, 65533);  // repair sequence numbers wrap too
  const auto media = make_frame(65530, 77, 16, rng);
  auto fec = encoder.protect_frame(media, false);
  ASSERT_TRUE(fec);
  for (size_t lost : {0, 5, 6, 15}) {
    auto receiver = make_receiver();
    const auto rebuilt = deliver(receiver, media, *fec, {lost});
    ASSERT_EQ(rebuilt.size(), 1u) << lost;
    EXPECT_EQ(rebuilt.begin()->second, media[lost]);
  }
  EXPECT_EQ(encoder.next_sequence_number(), uint16_t(65533 + fec->size()));
}

TEST(FecRecovery, TooManyLossesAreCountedUnrecoverableWhenTheyExpire) {
  std::mt19937 rng(10);
  auto encoder = make_encoder(0.01);
  const auto media = make_frame(1, 1, 20, rng);
  auto fec = encoder.protect_frame(media, false);
  ASSERT_TRUE(fec);
  auto receiver = make_receiver();
  std::set<size_t> lost;
  for (size_t i = 0; i < 10; ++i) lost.insert(i);
  EXPECT_TRUE(deliver(receiver, media, *fec, lost).empty());
  // Much later traffic expires the old repair packets.
  auto later = make_frame(2000, 2, 3, rng);
  for (const auto& p : later) receiver.on_media_packet(p);
  EXPECT_GT(receiver.stats().unrecoverable, 0u);
  EXPECT_EQ(receiver.stored_fec_packets(), 0u);
}

TEST(FecRecovery, MemoryStaysBounded) {
  std::mt19937 rng(11);
  auto encoder = make_encoder(0.05);
  auto receiver = make_receiver();
  uint16_t seq = 0;
  for (int frame = 0; frame < 400; ++frame) {
    const auto media = make_frame(seq, uint32_t(frame * 3000), 10, rng, false);
    seq = uint16_t(seq + 10);
    auto fec = encoder.protect_frame(media, false);
    ASSERT_TRUE(fec);
    deliver(receiver, media, *fec, {3, 4, 5, 6});  // too many: repairs pile up
    EXPECT_LE(receiver.stored_media_packets(), 512u);
    EXPECT_LE(receiver.stored_fec_packets(), 128u);
  }
}

TEST(FecRecovery, BadRepairPacketsAreCountedAndIgnored) {
  std::mt19937 rng(12);
  auto encoder = make_encoder(0.05);
  const auto media = make_frame(300, 1, 10, rng);
  auto fec = encoder.protect_frame(media, false);
  ASSERT_TRUE(fec);
  auto receiver = make_receiver();
  for (size_t i = 1; i < media.size(); ++i) receiver.on_media_packet(media[i]);

  // A repair whose length recovery claims more than it carries.
  Bytes lying = (*fec)[0];
  lying[12 + 4 + 2] ^= 0x7f;
  EXPECT_TRUE(receiver.on_fec_packet(lying).empty());
  // Wrong FEC SSRC, truncated, random.
  Bytes other = (*fec)[0];
  other[8] ^= 1;
  EXPECT_TRUE(receiver.on_fec_packet(other).empty());
  EXPECT_TRUE(receiver.on_fec_packet(ByteView((*fec)[0]).first(18)).empty());
  std::mt19937 fuzz(99);
  for (int round = 0; round < 5000; ++round) {
    Bytes bytes = (*fec)[round % fec->size()];
    const size_t flips = 1 + fuzz() % 4;
    for (size_t f = 0; f < flips; ++f) bytes[fuzz() % bytes.size()] ^= uint8_t(1 + fuzz() % 255);
    if (fuzz() % 4 == 0) bytes.resize(fuzz() % bytes.size());
    for (const auto& p : receiver.on_fec_packet(bytes)) {
      // Whatever a damaged repair rebuilds is at least well-formed RTP.
      EXPECT_TRUE(parse_rtp(p));
    }
    Bytes noise(fuzz() % 80);
    for (auto& b : noise) b = uint8_t(fuzz());
    receiver.on_fec_packet(noise);
    receiver.on_media_packet(noise);
  }
  EXPECT_GT(receiver.stats().bad_fec_packets, 3u);
}

TEST(FecRecovery, EncoderRejectsPacketsItCannotProtect) {
  std::mt19937 rng(13);
  auto encoder = make_encoder(0.05);
  auto media = make_frame(1, 1, 5, rng);
  std::swap(media[1], media[2]);
  EXPECT_FALSE(encoder.protect_frame(media, false));
  EXPECT_FALSE(encoder.protect_frame(std::vector<Bytes>{Bytes{1, 2, 3}}, false));
}

}  // namespace
}  // namespace peercall
