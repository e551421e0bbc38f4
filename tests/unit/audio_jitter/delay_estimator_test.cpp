#include "media/audio/jitter/delay_estimator.hpp"

#include <gtest/gtest.h>

#include <random>

#include "link_trace.hpp"

namespace peercall::test {
namespace {

TEST(DelayEstimator, CleanLinkNeedsNoDelay) {
  DelayEstimator d;
  for (int k = 0; k < 500; ++k) EXPECT_EQ(d.on_packet(960 * k, at_ms(30 + 20.0 * k)), 0.0);
  EXPECT_EQ(d.target_ms(), 2);  // the first bucket's upper edge
  // Played 7 ms after the packet arrived: 7 ms behind the fastest schedule.
  EXPECT_NEAR(d.offset_ms(960 * 500, at_ms(30 + 20.0 * 500 + 7)), 7.0, 1e-6);
}

TEST(DelayEstimator, RelativeDelayIsAgainstTheFastestRecentPacket) {
  DelayEstimator d;
  d.on_packet(0, at_ms(50));
  EXPECT_NEAR(d.on_packet(960, at_ms(50 + 20 + 13)), 13.0, 1e-6);
  EXPECT_NEAR(d.on_packet(1920, at_ms(50 + 40 - 5)), 0.0, 1e-6);  // a new fastest
  EXPECT_NEAR(d.on_packet(2880, at_ms(50 + 60)), 5.0, 1e-6);
}

TEST(DelayEstimator, TargetCoversTheQuantileAndForgets) {
  DelayEstimator d;
  std::mt19937 rng(3);
  std::uniform_real_distribution<double> jitter(0.0, 60.0);
  for (int k = 0; k < 1000; ++k) d.on_packet(960 * k, at_ms(20.0 * k + jitter(rng)));
  EXPECT_GE(d.target_ms(), 50);
  EXPECT_LE(d.target_ms(), 62);
  int k = 1000;
  for (; k < 2000 && d.target_ms() > 2; ++k) d.on_packet(960 * k, at_ms(20.0 * k + 10));
  // The 2 s reference window lets the old fastest packet go, then the
  // histogram forgets: back to the floor within a few seconds.
  EXPECT_LT(k - 1000, 300) << "took " << (k - 1000) * 20 << " ms";
}

TEST(DelayEstimator, ResetForgetsTheReference) {
  DelayEstimator d;
  d.on_packet(0, at_ms(0));
  EXPECT_TRUE(d.has_reference());
  d.reset();
  EXPECT_FALSE(d.has_reference());
  EXPECT_EQ(d.offset_ms(960, at_ms(100)), 0.0);
}

}  // namespace
}  // namespace peercall::test
