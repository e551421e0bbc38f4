// The FEC encoder's repair credit: what the session's overhead budget lets
// repairs add, over time, on top of the per-frame policy.
#include <gtest/gtest.h>

#include <random>

#include "fec/fec_encoder.hpp"
#include "fec_test_packets.hpp"

namespace peercall {
namespace {

using namespace fec_test;

FecEncoder lossy_encoder(double loss) {
  FecEncoderConfig config;
  config.fec_ssrc = kFecSsrc;
  config.fec_payload_type = kFecPt;
  FecEncoder encoder(config);
  encoder.set_loss_rate(loss);
  return encoder;
}

// Repairs for `frames` frames of `packets` packets each.
size_t repairs_for(FecEncoder& encoder, int frames, size_t packets, std::mt19937& rng) {
  size_t repairs = 0;
  uint16_t seq = 1;
  for (int f = 0; f < frames; ++f) {
    auto fec = encoder.protect_frame(make_frame(seq, uint32_t(f * 3000), packets, rng), false);
    EXPECT_TRUE(fec);
    if (fec) repairs += fec->size();
    seq = uint16_t(seq + packets);
  }
  return repairs;
}

TEST(FecBudget, OnePacketFramesAreProtectedEveryOtherFrameNotEachDoubled) {
  // At a low rate every frame is one packet: one repair each doubled the
  // video (the policy's 50% cap rounds up to one repair per frame).
  std::mt19937 rng(3);
  FecEncoder encoder = lossy_encoder(0.05);
  const size_t repairs = repairs_for(encoder, 100, 1, rng);
  EXPECT_GE(repairs, 50u);
  EXPECT_LE(repairs, 52u);  // 50% of the packets, plus the credit's depth
}

TEST(FecBudget, LargerFramesKeepThePolicysPlan) {
  std::mt19937 rng(4);
  FecEncoder encoder = lossy_encoder(0.05);
  const size_t per_frame = encoder.plan(20, false).groups.size();
  ASSERT_GT(per_frame, 0u);
  EXPECT_EQ(repairs_for(encoder, 50, 20, rng), 50 * per_frame);
}

TEST(FecBudget, NoBudgetStopsRepairsOnceTheCreditIsSpent) {
  std::mt19937 rng(5);
  FecEncoder encoder = lossy_encoder(0.05);
  encoder.set_overhead_budget(0);
  EXPECT_LE(repairs_for(encoder, 100, 6, rng), 2u);
  // The budget back: protection resumes at once.
  encoder.set_overhead_budget(1.0);
  EXPECT_GT(repairs_for(encoder, 10, 6, rng), 10u);
}

TEST(FecBudget, ASmallBudgetIsKeptOnAverage) {
  std::mt19937 rng(6);
  FecEncoder encoder = lossy_encoder(0.05);
  encoder.set_overhead_budget(0.1);
  const size_t repairs = repairs_for(encoder, 200, 6, rng);  // 1200 media packets
  EXPECT_GE(repairs, 110u);
  EXPECT_LE(repairs, 122u);
}

TEST(FecBudget, NoLossNoRepairsAndTheCreditSavesNoMoreThanTwo) {
  std::mt19937 rng(7);
  FecEncoder encoder = lossy_encoder(0);
  EXPECT_EQ(repairs_for(encoder, 50, 1, rng), 0u);
  encoder.set_loss_rate(0.05);
  // 50 clean frames saved two repairs, not 25: of the next 20 one-packet
  // frames, half are protected plus those two (a full credit would protect all).
  const size_t repairs = repairs_for(encoder, 20, 1, rng);
  EXPECT_GE(repairs, 10u);
  EXPECT_LE(repairs, 13u);
}

}  // namespace
}  // namespace peercall
