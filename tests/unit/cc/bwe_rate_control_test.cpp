// AIMD rate control, the acknowledged bitrate and the loss rule, each alone.
#include <gtest/gtest.h>

#include "cc/bwe/acknowledged_bitrate.hpp"
#include "cc/bwe/aimd_rate_control.hpp"
#include "cc/bwe/loss_based_control.hpp"

namespace peercall {
namespace {

const Instant kT0 = Instant{} + seconds(50);

// A report's counts, all packets sent after the last decision.
LossBasedControl::Counts counts(size_t received, size_t lost, bool queue_standing = false) {
  return {received, lost, received, lost, queue_standing};
}

TEST(BweAcknowledgedBitrate, MeasuresWhatArrivedOverTheWindow) {
  AcknowledgedBitrate acked;
  EXPECT_FALSE(acked.bitrate_bps());
  // 1250 B every 10 ms = 1 Mbit/s for 1 s, then 250 kbit/s.
  Instant t = kT0;
  for (int i = 0; i < 100; ++i, t += milliseconds(10)) acked.on_packet(t, 1250);
  ASSERT_TRUE(acked.bitrate_bps());
  EXPECT_NEAR(*acked.bitrate_bps(), 1e6, 0.03e6);
  for (int i = 0; i < 60; ++i, t += milliseconds(10)) acked.on_packet(t, 312);
  EXPECT_NEAR(*acked.bitrate_bps(), 250e3, 10e3) << "the old rate has left the 500 ms window";
  acked.reset();
  EXPECT_FALSE(acked.bitrate_bps());
}

TEST(BweAimdRateControl, StartupDoublesPerSecondUntilTheFirstOveruse) {
  AimdConfig config;
  config.max_bps = 10e6;
  AimdRateControl aimd(config);
  Instant t = kT0;
  for (int i = 0; i <= 20; ++i, t += milliseconds(50)) aimd.update(BandwidthUsage::kNormal, {}, t);
  EXPECT_TRUE(aimd.in_startup());
  EXPECT_NEAR(aimd.target_bps(), 2e6, 0.05e6);
  aimd.update(BandwidthUsage::kOverusing, 1.6e6, t);
  EXPECT_FALSE(aimd.in_startup());
  EXPECT_DOUBLE_EQ(aimd.target_bps(), 0.85 * 1.6e6);
  EXPECT_EQ(aimd.state(), RateControlState::kDecrease);
  ASSERT_TRUE(aimd.link_capacity_bps());
  EXPECT_DOUBLE_EQ(*aimd.link_capacity_bps(), 1.6e6);
}

TEST(BweAimdRateControl, BelowTheKnownCapacityEightPercentPerSecondThenAdditive) {
  AimdRateControl aimd;
  Instant t = kT0;
  aimd.update(BandwidthUsage::kOverusing, 1e6, t);  // capacity 1 Mbit/s, target 850 k
  ASSERT_DOUBLE_EQ(aimd.target_bps(), 850e3);
  aimd.update(BandwidthUsage::kNormal, 0.85e6, t += milliseconds(50));  // decrease -> hold
  for (int i = 0; i < 20; ++i) aimd.update(BandwidthUsage::kNormal, 0.85e6, t += milliseconds(50));
  EXPECT_NEAR(aimd.target_bps(), 850e3 * 1.08, 2e3) << "below the capacity band: 8 %/s";
  while (aimd.target_bps() < 0.95e6) aimd.update(BandwidthUsage::kNormal, 0.9e6, t += milliseconds(50));
  double near = aimd.target_bps();
  for (int i = 0; i < 20; ++i) aimd.update(BandwidthUsage::kNormal, 0.95e6, t += milliseconds(50));
  double gained = aimd.target_bps() - near;
  // Within the band: about one packet (a frame's share, <= 1200 B) per
  // (100 ms rtt + 100 ms): 40 kbit/s per second at 0.95 Mbit/s.
  EXPECT_NEAR(gained, 40e3, 5e3);
}

TEST(BweAimdRateControl, UnderusingHoldsAndDecreasesAreRateLimited) {
  AimdRateControl aimd;
  Instant t = kT0;
  aimd.update(BandwidthUsage::kOverusing, 1e6, t);
  double held = aimd.target_bps();
  aimd.update(BandwidthUsage::kUnderusing, 0.8e6, t += milliseconds(100));
  EXPECT_DOUBLE_EQ(aimd.target_bps(), held);
  EXPECT_EQ(aimd.state(), RateControlState::kHold);
  aimd.update(BandwidthUsage::kOverusing, 0.5e6, t += milliseconds(50));  // 150 ms after the last
  EXPECT_DOUBLE_EQ(aimd.target_bps(), held);
  aimd.update(BandwidthUsage::kOverusing, 0.5e6, t += milliseconds(100));
  EXPECT_DOUBLE_EQ(aimd.target_bps(), 0.85 * 0.5e6);
}

TEST(BweAimdRateControl, ReceivedRatePastTheCapacityStartsAcceleratingExploration) {
  AimdRateControl aimd;
  Instant t = kT0;
  aimd.update(BandwidthUsage::kOverusing, 300e3, t);  // capacity 0.3 Mbit/s
  EXPECT_FALSE(aimd.exploring());
  aimd.update(BandwidthUsage::kNormal, 400e3, t += milliseconds(50));  // well past 0.3 + 3 std
  EXPECT_TRUE(aimd.exploring());
  double start = aimd.target_bps();
  for (int i = 0; i < 40; ++i) {
    aimd.update(BandwidthUsage::kNormal, aimd.target_bps(), t += milliseconds(50));
  }
  // 2 s of flat delay: growth rises from 8 %/s to x2.5/s; at least x3 overall.
  EXPECT_GT(aimd.target_bps(), 3 * start);
}

TEST(BweAimdRateControl, NeverGrowsFarPastWhatTheNetworkDelivered) {
  AimdRateControl aimd;
  Instant t = kT0;
  for (int i = 0; i < 40; ++i) aimd.update(BandwidthUsage::kNormal, 200e3, t += milliseconds(50));
  EXPECT_LE(aimd.target_bps(), 1e6) << "started at 1 Mbit/s, above 1.5 x 200k + 10k: no growth";
}

TEST(BweAimdRateControl, StaysWithinBounds) {
  AimdConfig config;
  config.min_bps = 100e3;
  config.max_bps = 1.2e6;
  AimdRateControl aimd(config);
  Instant t = kT0;
  for (int i = 0; i < 100; ++i) aimd.update(BandwidthUsage::kNormal, 5e6, t += milliseconds(50));
  EXPECT_DOUBLE_EQ(aimd.target_bps(), 1.2e6);
  aimd.update(BandwidthUsage::kOverusing, 10e3, t += seconds(1));
  EXPECT_DOUBLE_EQ(aimd.target_bps(), 100e3);
}

TEST(BweLossBasedControl, RandomLossWithoutADelaySignalIsNotCongestion) {
  LossBasedControl loss;
  Instant t = kT0;
  for (int i = 0; i < 40; ++i) loss.on_report(counts(40, 10), t += milliseconds(50));  // 20 % loss
  EXPECT_NEAR(*loss.loss_fraction(t), 0.2, 1e-9);
  EXPECT_FALSE(loss.congestion_limit(false, 1e6, 0.8e6, t));
}

TEST(BweLossBasedControl, LossWithADelaySignalLowersTheRateOncePerEvidence) {
  LossBasedControl loss;
  Instant t = kT0;
  for (int i = 0; i < 20; ++i) loss.on_report(counts(45, 5), t += milliseconds(50));  // 10 %
  std::optional<double> limit = loss.congestion_limit(true, 1e6, 1e6, t);
  ASSERT_TRUE(limit);
  EXPECT_DOUBLE_EQ(*limit, 0.85e6) << "min(1e6 x 0.95, 0.85 x received)";
  EXPECT_FALSE(loss.congestion_limit(true, 0.85e6, 1e6, t)) << "the same evidence, used already";
  loss.on_report(counts(9, 1), t += milliseconds(50));
  EXPECT_FALSE(loss.congestion_limit(true, 0.85e6, 1e6, t)) << "10 fresh packets: too few";
  loss.on_report(counts(9, 1), t += milliseconds(50));
  EXPECT_TRUE(loss.congestion_limit(true, 0.85e6, 1e6, t)) << "20 fresh packets at 10 %";
}

TEST(BweLossBasedControl, LossAtAStandingQueueIsCongestionAndNotRandom) {
  LossBasedControl loss;
  Instant t = kT0;
  for (int i = 0; i < 20; ++i) loss.on_report(counts(45, 5, /*queue_standing=*/true), t += milliseconds(50));
  EXPECT_FALSE(loss.random_loss_fraction(t)) << "no report without a queue";
  EXPECT_NEAR(*loss.loss_fraction(t), 0.1, 1e-9);
  std::optional<double> limit = loss.congestion_limit(false, 1e6, 0.9e6, t);
  ASSERT_TRUE(limit);
  EXPECT_DOUBLE_EQ(*limit, 0.85 * 0.9e6);
}

TEST(BweLossBasedControl, OnlyPacketsSentAfterTheDecisionAreFreshEvidence) {
  LossBasedControl loss;
  Instant t = kT0;
  for (int i = 0; i < 20; ++i) loss.on_report(counts(40, 10), t += milliseconds(50));
  ASSERT_TRUE(loss.congestion_limit(true, 1e6, 1e6, t));
  // Later reports about packets sent before the decision: not fresh.
  for (int i = 0; i < 10; ++i) loss.on_report({40, 10, 0, 0, true}, t += milliseconds(50));
  EXPECT_FALSE(loss.congestion_limit(true, 0.85e6, 1e6, t));
}

TEST(BweLossBasedControl, VeryHighLossLowersTheRateOnItsOwn) {
  LossBasedControl loss;
  Instant t = kT0;
  for (int i = 0; i < 10; ++i) loss.on_report(counts(6, 4), t += milliseconds(50));  // 40 %
  std::optional<double> limit = loss.congestion_limit(false, 1e6, 0.6e6, t);
  ASSERT_TRUE(limit);
  EXPECT_DOUBLE_EQ(*limit, 0.8e6);
}

TEST(BweLossBasedControl, AReceiverReportStandsInWhenFeedbackHasNoCounts) {
  LossBasedControl loss;
  loss.on_loss_report(0.5, kT0);
  ASSERT_TRUE(loss.loss_fraction(kT0 + milliseconds(10)));
  EXPECT_TRUE(loss.congestion_limit(false, 1e6, {}, kT0 + milliseconds(10)));
  EXPECT_FALSE(loss.loss_fraction(kT0 + seconds(10))) << "too old";
}

}  // namespace
}  // namespace peercall
