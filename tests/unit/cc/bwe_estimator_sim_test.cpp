// The estimator against a simulated bottleneck (bwe_bottleneck_sim.hpp): does
// it find the capacity, keep the queue short, follow drops and recoveries, and
// hold its rate through random loss and outages? Each test prints its figures.
#include <gtest/gtest.h>

#include <cstdio>

#include "bwe_bottleneck_sim.hpp"

namespace peercall {
namespace {

using bwe_sim::BottleneckSim;
using bwe_sim::SimConfig;

SimConfig fixed_link(double capacity_bps, int max_bps) {
  SimConfig c;
  c.capacity_bps = capacity_bps;
  c.queue_limit = milliseconds(500);  // deep enough that only the estimator bounds the delay
  c.bwe.max_bitrate_bps = max_bps;
  return c;
}

void print_trace(const BottleneckSim& sim, double from_s, double to_s, double every_s) {
  for (const auto& s : sim.samples()) {
    if (s.t_s < from_s || s.t_s >= to_s) continue;
    double phase = s.t_s / every_s;
    if (phase - static_cast<int>(phase) > 0.1 / every_s) continue;
    std::printf("  t=%5.1fs target=%7.0f queue=%6.1fms\n", s.t_s, s.target_bps / 1.0, s.queue_ms);
  }
}

TEST(BweEstimatorSim, SettlesWithinTenPercentOfOneMegabitBottleneck) {
  BottleneckSim sim(fixed_link(1'000'000, 2'500'000));
  sim.run_for(seconds(30));
  double mean = sim.mean_target(10, 30);
  double p95 = sim.queue_delay_percentile(3, 30, 0.95);
  std::printf("1 Mbit/s: mean target 10-30 s %.0f, min %d, p95 queue after 3 s %.1f ms\n", mean,
              sim.min_target(10, 30), p95);
  EXPECT_GT(mean, 0.9e6);
  EXPECT_LT(mean, 1.1e6);
  EXPECT_LT(p95, 150);
}

TEST(BweEstimatorSim, FindsTwoAndAHalfMegabitsWithinTwoSecondsAndSettles) {
  BottleneckSim sim(fixed_link(2'500'000, 4'000'000));
  sim.run_for(seconds(30));
  double found = sim.first_time(0, [](int t) { return t >= 0.9 * 2.5e6; });
  double mean = sim.mean_target(10, 30);
  double p95 = sim.queue_delay_percentile(3, 30, 0.95);
  std::printf("2.5 Mbit/s: 90%% reached at %.1f s, mean 10-30 s %.0f, min %d, p95 queue %.1f ms\n",
              found, mean, sim.min_target(10, 30), p95);
  EXPECT_GE(found, 0);
  EXPECT_LE(found, 2.5);
  EXPECT_GT(mean, 0.9 * 2.5e6);
  EXPECT_LT(mean, 1.1 * 2.5e6);
  EXPECT_LT(p95, 150);
}

TEST(BweEstimatorSim, FollowsADropToThreeHundredKilobitsWithinThreeSeconds) {
  SimConfig c;
  c.capacity_bps = 2'000'000;
  c.queue_limit = milliseconds(300);
  c.bwe.max_bitrate_bps = 2'500'000;
  BottleneckSim sim(c);
  sim.run_for(seconds(15));
  sim.set_capacity(300'000);
  sim.run_for(seconds(10));
  double below = sim.first_time(15, [](int t) { return t < 330'000; });
  double p95_after = sim.queue_delay_percentile(18, 25, 0.95);
  std::printf("2 -> 0.3 Mbit/s: target before %.0f, below 0.33 Mbit/s %.1f s after the drop, "
              "mean 18-25 s %.0f, p95 queue 18-25 s %.1f ms\n",
              sim.mean_target(10, 15), below - 15, sim.mean_target(18, 25), p95_after);
  print_trace(sim, 14, 25, 0.5);
  ASSERT_GE(below, 0);
  EXPECT_LE(below - 15, 3.0);
  EXPECT_LT(p95_after, 300);
  EXPECT_GT(sim.mean_target(18, 25), 0.6 * 300'000);  // and it did not collapse either
}

TEST(BweEstimatorSim, RecoversNinetyPercentWithinFiveSecondsWhenTheCapLifts) {
  SimConfig c;
  c.capacity_bps = 2'000'000;
  c.queue_limit = milliseconds(300);
  c.bwe.max_bitrate_bps = 2'500'000;
  BottleneckSim sim(c);
  sim.run_for(seconds(10));
  sim.set_capacity(300'000);
  sim.run_for(seconds(10));
  sim.set_capacity(2'000'000);
  sim.run_for(seconds(10));
  double recovered = sim.first_time(20, [](int t) { return t >= 0.9 * 2e6; });
  std::printf("0.3 -> 2 Mbit/s: 90%% %.1f s after the cap lifted; mean 25-30 s %.0f, p95 queue "
              "20-30 s %.1f ms\n",
              recovered - 20, sim.mean_target(25, 30), sim.queue_delay_percentile(20, 30, 0.95));
  print_trace(sim, 19, 26, 0.5);
  ASSERT_GE(recovered, 0);
  EXPECT_LE(recovered - 20, 5.0);
}

TEST(BweEstimatorSim, FivePercentRandomLossWithFlatDelayKeepsTheRate) {
  SimConfig c = fixed_link(1'000'000, 2'500'000);
  c.random_loss = 0.05;
  BottleneckSim sim(c);
  sim.run_for(seconds(30));
  double mean = sim.mean_target(5, 30);
  std::printf("5%% random loss: mean target 5-30 s %.0f, min %d\n", mean, sim.min_target(5, 30));
  EXPECT_GE(mean, 0.8e6);
  EXPECT_GE(sim.min_target(5, 30), 0.6e6);
}

TEST(BweEstimatorSim, TwentyPercentBurstyLossWithFlatDelayKeepsMostOfTheRate) {
  SimConfig c = fixed_link(1'000'000, 2'500'000);
  c.random_loss = 0.20;
  c.loss_burst = 3;
  BottleneckSim sim(c);
  sim.run_for(seconds(30));
  double mean = sim.mean_target(5, 30);
  std::printf("20%% bursty loss: mean target 5-30 s %.0f, min %d\n", mean, sim.min_target(5, 30));
  EXPECT_GE(mean, 0.6e6);
}

TEST(BweEstimatorSim, TwoSecondOutageHoldsTheRateAndRecovers) {
  BottleneckSim sim(fixed_link(1'000'000, 2'500'000));
  sim.run_for(seconds(10));
  sim.set_outage(true);
  sim.run_for(milliseconds(300));  // the feedback already on its way arrives
  int before = sim.bwe().target_bitrate_bps();
  sim.run_for(milliseconds(1700));
  int during = sim.bwe().target_bitrate_bps();
  EXPECT_TRUE(sim.bwe().in_outage(sim.now()));
  sim.set_outage(false);
  sim.run_for(seconds(10));
  int lowest_after = sim.min_target(12, 22);
  double drained = -1;
  for (const auto& s : sim.samples()) {
    if (s.t_s >= 12 && s.queue_ms < 50) {
      drained = s.t_s;
      break;
    }
  }
  std::printf("outage: target before %d, at its end %d, lowest after %d, backlog queue < 50 ms "
              "%.1f s after, mean 17-22 s %.0f\n",
              before, during, lowest_after, drained - 12, sim.mean_target(17, 22));
  EXPECT_EQ(during, before);  // held: no ramp (nor cut) on silence
  EXPECT_LT(sim.queue_delay_percentile(16, 22, 0.95), 150);  // the backlog drained
  EXPECT_GE(lowest_after, 0.4e6);  // far from the 50 kbit/s floor
  ASSERT_GE(drained, 0);
  EXPECT_LE(drained - 12, 4.0);
  EXPECT_GE(sim.mean_target(17, 22), 0.85e6);
}

TEST(BweEstimatorSim, ALongerPathIsNotMistakenForAQueueForLong) {
  BottleneckSim sim(fixed_link(1'000'000, 2'500'000));
  sim.run_for(seconds(10));
  sim.set_propagation(milliseconds(190));  // +150 ms each way: a route change, no queue
  sim.run_for(seconds(15));
  std::printf("path +150 ms: lowest target 10-25 s %d, mean 15-25 s %.0f\n", sim.min_target(10, 25),
              sim.mean_target(15, 25));
  EXPECT_GE(sim.min_target(10, 25), 0.5e6) << "at most one cut before the floor is re-measured";
  EXPECT_GE(sim.mean_target(15, 25), 0.85e6);
}

TEST(BweEstimatorSim, VideoFramesThroughThePacerSettleWithShortQueues) {
  for (double factor : {1.5, 2.5}) {
    SimConfig c = fixed_link(1'500'000, 2'500'000);
    c.pacing_factor = factor;
    BottleneckSim sim(c);
    sim.run_for(seconds(30));
    double mean = sim.mean_target(10, 30);
    double p95 = sim.queue_delay_percentile(3, 30, 0.95);
    std::printf("frames paced at %.1f x target over 1.5 Mbit/s: mean target %.0f, p95 network queue "
                "%.1f ms, longest pacer wait %.1f ms, pacer raised its rate %lld times\n",
                factor, mean, p95, to_micros(sim.max_pacer_delay()) / 1000.0,
                static_cast<long long>(sim.pacer().stats(sim.now()).rate_raises));
    EXPECT_GT(mean, 0.85 * 1.5e6) << factor;
    EXPECT_LT(mean, 1.1 * 1.5e6) << factor;
    EXPECT_LT(p95, 150) << factor;
    EXPECT_LT(sim.max_pacer_delay(), milliseconds(150)) << factor;
  }
}

TEST(BweEstimatorSim, AnEncoderBelowTheTargetDoesNotLetItRunAway) {
  // The start is 1 Mbit/s; without the received-rate cap startup would reach the 2.5 max.
  BottleneckSim sim(fixed_link(2'000'000, 2'500'000));
  sim.set_app_limit(300'000);
  sim.run_for(seconds(10));
  int target = sim.bwe().target_bitrate_bps();
  std::printf("app-limited at 0.3 Mbit/s: target %d\n", target);
  EXPECT_LE(target, 1'200'000);
}

}  // namespace
}  // namespace peercall
