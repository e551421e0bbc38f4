// The delay signal's pieces: send-time grouping, the trendline, the adaptive
// overuse detector, and the standing-queue measure.
#include <gtest/gtest.h>

#include "cc/bwe/delay_based_detector.hpp"
#include "cc/bwe/overuse_detector.hpp"
#include "cc/bwe/send_group_deltas.hpp"
#include "cc/bwe/trendline_filter.hpp"

namespace peercall {
namespace {

const Instant kT0 = Instant{} + seconds(50);
Instant at_ms(double ms) { return kT0 + microseconds(static_cast<int64_t>(ms * 1000)); }

TEST(BweSendGroupDeltas, PacketsSentWithinFiveMillisecondsFormOneGroup) {
  SendGroupDeltas groups;
  // Group A: sent at 0,2,4 ms; group B: 20,22 ms; group C opens at 40 ms.
  EXPECT_FALSE(groups.on_packet(at_ms(0), at_ms(100), 1000));
  EXPECT_FALSE(groups.on_packet(at_ms(2), at_ms(102), 1000));
  EXPECT_FALSE(groups.on_packet(at_ms(4), at_ms(104), 1000));
  EXPECT_FALSE(groups.on_packet(at_ms(20), at_ms(125), 1000)) << "B opens; A has no predecessor";
  EXPECT_FALSE(groups.on_packet(at_ms(22), at_ms(127), 1000));
  std::optional<GroupDelta> d = groups.on_packet(at_ms(40), at_ms(140), 1000);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->send_delta, milliseconds(18));     // 22 - 4
  EXPECT_EQ(d->arrival_delta, milliseconds(23));  // 127 - 104: 5 ms more queueing
  EXPECT_EQ(d->size, 2000u);
}

TEST(BweSendGroupDeltas, AQueueFlushArrivingInOneBurstJoinsTheGroup) {
  SendGroupDeltas groups;
  groups.on_packet(at_ms(0), at_ms(300), 1000);
  // Sent 10 ms apart but arriving 1 ms apart: a queue emptying, one group.
  EXPECT_FALSE(groups.on_packet(at_ms(10), at_ms(301), 1000));
  EXPECT_FALSE(groups.on_packet(at_ms(20), at_ms(302), 1000));
  EXPECT_FALSE(groups.on_packet(at_ms(60), at_ms(340), 1000));  // opens the second group
  std::optional<GroupDelta> d = groups.on_packet(at_ms(100), at_ms(380), 1000);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->send_delta, milliseconds(40));  // 60 - 20: the burst was one group
}

TEST(BweSendGroupDeltas, APeerClockJumpStartsOver) {
  SendGroupDeltas groups;
  groups.on_packet(at_ms(0), at_ms(100), 1000);
  groups.on_packet(at_ms(20), at_ms(120), 1000);
  EXPECT_TRUE(groups.on_packet(at_ms(40), at_ms(10'000), 1000)) << "20 ms vs 20 ms: fine";
  EXPECT_FALSE(groups.on_packet(at_ms(60), at_ms(10'020), 1000)) << "a 10 s jump is no queue";
  EXPECT_FALSE(groups.on_packet(at_ms(80), at_ms(10'040), 1000)) << "starting over";
  std::optional<GroupDelta> d = groups.on_packet(at_ms(100), at_ms(10'060), 1000);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->arrival_delta, milliseconds(20));
}

TEST(BweTrendline, GrowingDelayGivesAPositiveSlopeAndFlatDelayNone) {
  TrendlineFilter growing, flat;
  for (int i = 0; i < 40; ++i) {
    growing.update(1.0, i * 10.0);  // 1 ms more per 10 ms group: slope 0.1
    flat.update(i % 2 ? 0.5 : -0.5, i * 10.0);
  }
  EXPECT_NEAR(growing.slope(), 0.1, 0.01);
  EXPECT_GT(growing.modified_trend(), 12.5);
  EXPECT_LT(std::abs(flat.slope()), 0.01);
  EXPECT_LT(std::abs(flat.modified_trend()), 6.0);
}

TEST(BweOveruseDetector, SustainedRisingTrendIsOverusingAndFallingIsUnderusing) {
  OveruseDetector d;
  EXPECT_EQ(d.detect(20, 5, 0), BandwidthUsage::kNormal) << "one sample is not enough";
  EXPECT_EQ(d.detect(21, 5, 5), BandwidthUsage::kNormal) << "7.5 ms over: not yet 10 ms";
  EXPECT_EQ(d.detect(22, 5, 10), BandwidthUsage::kOverusing);
  EXPECT_EQ(d.detect(0, 5, 15), BandwidthUsage::kNormal);
  EXPECT_EQ(d.detect(-25, 5, 20), BandwidthUsage::kUnderusing);
}

TEST(BweOveruseDetector, ThresholdAdaptsTowardsTheTrendWithinBounds) {
  OveruseDetector d;
  for (int i = 0; i < 200; ++i) d.detect(1.0, 5, i * 5.0);  // small noise: gamma falls
  EXPECT_NEAR(d.threshold(), 6.0, 0.01) << "floor";
  OveruseDetector up;
  for (int i = 0; i < 200; ++i) up.detect(i % 2 ? 20.0 : -20.0, 5, i * 5.0);  // big jitter: rises
  EXPECT_GT(up.threshold(), 15.0);
  EXPECT_LE(up.threshold(), 20.0);
  OveruseDetector spike;
  spike.detect(500, 5, 0);
  spike.detect(500, 5, 50);
  EXPECT_DOUBLE_EQ(spike.threshold(), 12.5) << "a spike far above gamma does not move it";
}

TEST(BweDelayBasedDetector, StandingQueueIsDelayAboveTheRecentMinimum) {
  DelayBasedDetector det;
  int64_t seq = 0;
  auto feed = [&](double send_ms, double owd_ms) {
    PacketResult p;
    p.transport_sequence = ++seq;
    p.send_time = at_ms(send_ms);
    p.arrival = at_ms(send_ms + owd_ms) + seconds(1000);  // the peer's clock: any offset
    p.size = 1200;
    det.on_packet(p);
  };
  for (int i = 0; i < 10; ++i) feed(i * 10, 40);
  det.end_report();
  EXPECT_EQ(det.standing_queue(), Duration::zero());
  for (int i = 10; i < 20; ++i) feed(i * 10, 40 + 120 + (i % 2));  // a 120 ms queue, jittery
  det.end_report();
  EXPECT_EQ(det.standing_queue(), milliseconds(120));
  det.rebase();
  for (int i = 20; i < 30; ++i) feed(i * 10, 160);
  det.end_report();
  EXPECT_EQ(det.standing_queue(), Duration::zero()) << "after a rebase the floor is new";
}

TEST(BweDelayBasedDetector, ARampingQueueIsOverusing) {
  DelayBasedDetector det;
  for (int i = 0; i < 60; ++i) {
    PacketResult p;
    p.transport_sequence = i;
    p.send_time = at_ms(i * 10.0);
    double queue = i < 20 ? 0 : (i - 20) * 3.0;  // from packet 20 the queue grows 3 ms per 10 ms
    p.arrival = at_ms(i * 10.0 + 30 + queue);
    p.size = 1200;
    det.on_packet(p);
    if (i == 19) {
      EXPECT_EQ(det.usage(), BandwidthUsage::kNormal);
    }
  }
  EXPECT_EQ(det.usage(), BandwidthUsage::kOverusing);
}

}  // namespace
}  // namespace peercall
