// BandwidthEstimator's contract with the session: bounds, stats, what it does
// with reports that measure nothing, duplicates, and silence.
#include <gtest/gtest.h>

#include "cc/bwe/bandwidth_estimator.hpp"

namespace peercall {
namespace {

const Instant kT0 = Instant{} + seconds(50);

// A report of `count` 1200 B packets sent 10 ms apart from `first_seq`,
// delivered with a constant 30 ms delay (peer clock offset 1000 s) unless lost.
TransportFeedbackReport report(int64_t first_seq, int count, Instant sent_from, Instant received_at,
                               bool lost = false) {
  TransportFeedbackReport r;
  r.received_at = received_at;
  for (int i = 0; i < count; ++i) {
    PacketResult p;
    p.transport_sequence = first_seq + i;
    p.send_time = sent_from + milliseconds(10 * i);
    p.size = 1200;
    if (!lost) p.arrival = p.send_time + milliseconds(30) + seconds(1000);
    r.packets.push_back(p);
  }
  return r;
}

TEST(BweEstimatorApi, StartsAtTheStartRateWithinBounds) {
  BandwidthEstimatorConfig config;
  config.start_bitrate_bps = 5'000'000;
  BandwidthEstimator bwe(config);
  EXPECT_EQ(bwe.target_bitrate_bps(), 2'500'000) << "clamped to the default max";
  bwe.set_bounds(100'000, 800'000);
  EXPECT_EQ(bwe.target_bitrate_bps(), 800'000);
  BweEstimateState s = bwe.estimate_state(kT0);
  EXPECT_TRUE(s.startup);
  EXPECT_EQ(s.last_reason, RateReason::kStart);
  EXPECT_FALSE(s.acknowledged_bps);
}

TEST(BweEstimatorApi, FlatDelayFeedbackRaisesTheRateAndFillsTheStats) {
  BandwidthEstimator bwe;
  Instant t = kT0;
  int64_t seq = 1;
  for (int i = 0; i < 20; ++i) {  // 1 s of 0.96 Mbit/s, reported every 50 ms
    bwe.on_feedback(report(seq, 5, t, t + milliseconds(80)));
    seq += 5;
    t += milliseconds(50);
  }
  BweEstimateState s = bwe.estimate_state(t);
  EXPECT_GT(bwe.target_bitrate_bps(), 1'000'000);
  EXPECT_LE(bwe.target_bitrate_bps(), 1.5 * 960'000 + 10'000 + 1) << "startup, capped by received";
  EXPECT_EQ(s.usage, BandwidthUsage::kNormal);
  ASSERT_TRUE(s.acknowledged_bps);
  EXPECT_NEAR(*s.acknowledged_bps, 960'000, 30'000);
  ASSERT_TRUE(s.loss_fraction);
  EXPECT_DOUBLE_EQ(*s.loss_fraction, 0.0);
  EXPECT_EQ(s.standing_queue, Duration::zero());
  EXPECT_EQ(s.feedback_reports, 20);
}

TEST(BweEstimatorApi, ADuplicatedReportIsCountedOnce) {
  BandwidthEstimator a, b;
  Instant t = kT0;
  for (int i = 0; i < 10; ++i) {
    TransportFeedbackReport r = report(1 + 5 * i, 5, t, t + milliseconds(80));
    a.on_feedback(r);
    b.on_feedback(r);
    r.received_at += milliseconds(1);
    b.on_feedback(r);
    t += milliseconds(50);
  }
  EXPECT_EQ(a.estimate_state(t).acknowledged_bps, b.estimate_state(t).acknowledged_bps);
}

TEST(BweEstimatorApi, AllLostReportsNeverRaiseTheRate) {
  BandwidthEstimator bwe;
  int before = bwe.target_bitrate_bps();
  Instant t = kT0;
  int loss_decisions = 0;
  for (int i = 0; i < 40; ++i) {
    int prior = bwe.target_bitrate_bps();
    bwe.on_feedback(report(1 + 5 * i, 5, t, t + milliseconds(80), /*lost=*/true));
    EXPECT_LE(bwe.target_bitrate_bps(), prior);
    if (bwe.estimate_state(t).last_reason == RateReason::kLossDecrease) ++loss_decisions;
    t += milliseconds(50);
  }
  EXPECT_LT(bwe.target_bitrate_bps(), before) << "100 % loss is very high: it lowers the rate";
  EXPECT_GE(bwe.target_bitrate_bps(), 50'000);
  // Each decision needs 40 fresh packets (8 reports here): about one per 8 reports.
  EXPECT_GE(loss_decisions, 3);
  EXPECT_LE(loss_decisions, 6);
}

TEST(BweEstimatorApi, SilenceIsAnOutageThatHoldsTheRate) {
  BandwidthEstimator bwe;
  Instant t = kT0;
  for (int i = 0; i < 10; ++i) {
    bwe.on_feedback(report(1 + 5 * i, 5, t, t + milliseconds(80)));
    t += milliseconds(50);
  }
  int held = bwe.target_bitrate_bps();
  EXPECT_FALSE(bwe.in_outage(t + milliseconds(500)));
  EXPECT_TRUE(bwe.in_outage(t + seconds(2)));
  EXPECT_EQ(bwe.estimate_state(t + seconds(2)).last_reason, RateReason::kOutage);
  EXPECT_EQ(bwe.target_bitrate_bps(), held);
  // Feedback resumes with packets sent during the silence, all lost: backlog,
  // not a verdict on the current rate.
  Instant back = t + seconds(3);
  bwe.on_feedback(report(100, 100, t, back, /*lost=*/true));
  EXPECT_EQ(bwe.target_bitrate_bps(), held);
  EXPECT_FALSE(bwe.in_outage(back));
}

}  // namespace
}  // namespace peercall
