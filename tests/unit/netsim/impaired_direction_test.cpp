// The impairment core on a virtual clock: delay, jitter, loss, bursts, the
// rate cap and its queue, outages, schedules, determinism.
#include "impaired_direction.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "virtual_link_run.hpp"

namespace peercall::netsim::test {
namespace {

// Offers `count` packets of `size` bytes every `spacing_ms`, starting at `start_ms`.
void offer(VirtualLinkRun& run, uint32_t count, size_t size, double spacing_ms, double start_ms = 0,
           uint32_t first_id = 0) {
  for (uint32_t i = 0; i < count; ++i) run.send(first_id + i, size, at_ms(start_ms + i * spacing_ms));
}

double mean_delay_ms(const std::vector<Delivered>& d) {
  double sum = 0;
  for (auto& p : d) sum += ms_between(p.sent, p.due);
  return sum / static_cast<double>(d.size());
}

TEST(ImpairedDirection, FixedDelayDeliversEveryPacketExactlyThatLateInOrder) {
  ImpairedDirection dir(settings_of("delay=100ms"), 1);
  VirtualLinkRun run(dir);
  offer(run, 1000, 200, 1.0);
  run.finish();
  ASSERT_EQ(run.delivered().size(), 1000u);
  for (size_t i = 0; i < 1000; ++i) {
    EXPECT_EQ(run.delivered()[i].id, i);
    EXPECT_EQ(run.delivered()[i].due - run.delivered()[i].sent, milliseconds(100));
  }
  EXPECT_EQ(dir.counters().packets_in, 1000u);
  EXPECT_EQ(dir.counters().packets_out, 1000u);
  EXPECT_EQ(dir.counters().bytes_out, 200000u);
}

TEST(ImpairedDirection, NothingComesOutBeforeTheAnnouncedWakeup) {
  ImpairedDirection dir(settings_of("delay=50ms jitter=10ms"), 3);
  for (int i = 0; i < 100; ++i) dir.enqueue(Bytes(100, 0), at_ms(i));
  size_t out = 0;
  Instant now{};
  while (auto wake = dir.next_wakeup()) {
    EXPECT_TRUE(dir.poll(*wake - microseconds(1)).empty());
    auto due = dir.poll(*wake);
    EXPECT_FALSE(due.empty());
    out += due.size();
    EXPECT_GE(*wake, now);
    now = *wake;
  }
  EXPECT_EQ(out, 100u);
}

TEST(ImpairedDirection, UniformJitterWithoutReorderingStaysInBoundsAndInOrder) {
  ImpairedDirection dir(settings_of("delay=100ms jitter=20ms"), 7);
  VirtualLinkRun run(dir);
  offer(run, 10000, 200, 1.0);
  run.finish();
  const auto& d = run.delivered();
  ASSERT_EQ(d.size(), 10000u);
  for (size_t i = 0; i < d.size(); ++i) {
    EXPECT_EQ(d[i].id, i) << "reordered without --reorder";
    double delay = ms_between(d[i].sent, d[i].due);
    EXPECT_GE(delay, 80.0);
    EXPECT_LE(delay, 120.0);
  }
  // Holding order only ever adds delay: the mean is a bit above the nominal.
  EXPECT_GE(mean_delay_ms(d), 100.0);
  EXPECT_LE(mean_delay_ms(d), 115.0);
}

TEST(ImpairedDirection, UniformJitterWithReorderingReordersAndCentresOnTheDelay) {
  ImpairedDirection dir(settings_of("delay=100ms jitter=20ms reorder=on"), 7);
  VirtualLinkRun run(dir);
  offer(run, 10000, 200, 1.0);
  run.finish();
  const auto& d = run.delivered();
  ASSERT_EQ(d.size(), 10000u);
  size_t overtaken = 0;
  double lo = 1e9, hi = 0;
  for (size_t i = 0; i < d.size(); ++i) {
    if (i > 0 && d[i].id < d[i - 1].id) ++overtaken;
    double delay = ms_between(d[i].sent, d[i].due);
    lo = std::min(lo, delay);
    hi = std::max(hi, delay);
  }
  EXPECT_GT(overtaken, 1000u);
  EXPECT_GE(lo, 80.0);
  EXPECT_LE(hi, 120.0);
  EXPECT_LT(lo, 81.0);  // the whole +-20 ms range is used
  EXPECT_GT(hi, 119.0);
  EXPECT_NEAR(mean_delay_ms(d), 100.0, 0.5);
}

TEST(ImpairedDirection, NormalJitterHasTheRequestedSpread) {
  ImpairedDirection dir(settings_of("delay=100ms jitter=10ms dist=normal reorder=on"), 11);
  VirtualLinkRun run(dir);
  offer(run, 20000, 200, 1.0);
  run.finish();
  const auto& d = run.delivered();
  ASSERT_EQ(d.size(), 20000u);
  double mean = mean_delay_ms(d), var = 0;
  for (auto& p : d) var += std::pow(ms_between(p.sent, p.due) - mean, 2);
  double sd = std::sqrt(var / static_cast<double>(d.size()));
  EXPECT_NEAR(mean, 100.0, 0.3);
  EXPECT_NEAR(sd, 10.0, 0.3);
}

TEST(ImpairedDirection, RandomLossRateOver100kPacketsIsWithinTolerance) {
  for (uint64_t seed : {1, 2, 3}) {
    ImpairedDirection dir(settings_of("loss=10%"), seed);
    VirtualLinkRun run(dir);
    offer(run, 100000, 100, 0.1);
    run.finish();
    double lost = static_cast<double>(dir.counters().dropped_loss) / 100000.0;
    EXPECT_NEAR(lost, 0.10, 0.004) << "seed " << seed;
    EXPECT_EQ(dir.counters().packets_out + dir.counters().dropped_loss, 100000u);
    EXPECT_EQ(run.delivered().size(), dir.counters().packets_out);
  }
}

std::vector<uint32_t> delivered_ids(const std::string& words, uint64_t seed, uint32_t count) {
  ImpairedDirection dir(settings_of(words), seed);
  VirtualLinkRun run(dir);
  offer(run, count, 100, 1.0);
  run.finish();
  std::vector<uint32_t> ids;
  for (auto& p : run.delivered()) ids.push_back(p.id);
  return ids;
}

TEST(ImpairedDirection, TheSameSeedReplaysTheSameLossesAndOrder) {
  const std::string words = "loss=5% burst=10%/2 delay=20ms jitter=5ms reorder=on";
  auto first = delivered_ids(words, 42, 5000);
  EXPECT_EQ(first, delivered_ids(words, 42, 5000));
  EXPECT_NE(first, delivered_ids(words, 43, 5000));
}

// Lengths of the runs of consecutive lost ids among `count` sent.
std::vector<int> loss_bursts(const std::vector<uint32_t>& delivered, uint32_t count) {
  std::vector<bool> got(count, false);
  for (uint32_t id : delivered) got[id] = true;
  std::vector<int> bursts;
  int run = 0;
  for (uint32_t i = 0; i < count; ++i) {
    if (!got[i]) ++run;
    else if (run) bursts.push_back(run), run = 0;
  }
  if (run) bursts.push_back(run);
  return bursts;
}

TEST(ImpairedDirection, BurstShorthandLosesTwentyPercentInBurstsOfThree) {
  const uint32_t n = 100000;
  auto ids = delivered_ids("burst=20%/3", 5, n);
  double lost = 1.0 - static_cast<double>(ids.size()) / n;
  EXPECT_NEAR(lost, 0.20, 0.015);
  auto bursts = loss_bursts(ids, n);
  double mean = std::accumulate(bursts.begin(), bursts.end(), 0.0) / static_cast<double>(bursts.size());
  EXPECT_NEAR(mean, 3.0, 0.15);
  // Geometric burst lengths: a third of the bursts are single losses.
  double singles = static_cast<double>(std::count(bursts.begin(), bursts.end(), 1)) /
                   static_cast<double>(bursts.size());
  EXPECT_NEAR(singles, 1.0 / 3.0, 0.03);
  EXPECT_GT(*std::max_element(bursts.begin(), bursts.end()), 10);
}

TEST(ImpairedDirection, GilbertElliottParametersGiveTheirStationaryLoss) {
  // p(g->b) 1%, p(b->g) 10%, 50% lost in bad, 1% in good:
  // P(bad) = 0.01 / 0.11; loss = P(bad) * 0.5 + (1 - P(bad)) * 0.01.
  const uint32_t n = 100000;
  auto ids = delivered_ids("gilbert=1%/10%/50%/1%", 9, n);
  double p_bad = 0.01 / 0.11;
  double expected = p_bad * 0.5 + (1 - p_bad) * 0.01;
  EXPECT_NEAR(1.0 - static_cast<double>(ids.size()) / n, expected, 0.01);
}

TEST(ImpairedDirection, LossInTheGoodStateAloneIsRandomLoss) {
  const uint32_t n = 100000;
  auto ids = delivered_ids("gilbert=0%/100%/0%/5%", 9, n);
  EXPECT_NEAR(1.0 - static_cast<double>(ids.size()) / n, 0.05, 0.004);
}

// Throughput in kbit/s of what was delivered between two instants.
double kbps_between(const std::vector<Delivered>& d, double from_ms, double to_ms) {
  double bits = 0;
  for (auto& p : d)
    if (p.due >= at_ms(from_ms) && p.due < at_ms(to_ms)) bits += static_cast<double>(p.size) * 8;
  return bits / (to_ms - from_ms);  // bits per ms = kbit/s
}

TEST(ImpairedDirection, RateCapHoldsThroughputAndTheByteQueueBoundsItsDelay) {
  ImpairedDirection dir(settings_of("rate=1000 queue=64000 delay=20ms"), 1);
  VirtualLinkRun run(dir);
  offer(run, 5000, 1000, 4.0);  // 2000 kbit/s for 20 s
  run.finish();
  const auto& d = run.delivered();
  EXPECT_NEAR(kbps_between(d, 1000, 20000), 1000.0, 50.0);
  EXPECT_GT(dir.counters().dropped_queue, 2000u);
  double bound_ms = 64000.0 * 8 / 1000;  // the whole queue at the cap: 512 ms
  double max_wait = to_micros(dir.counters().max_queue_delay) / 1000.0;
  EXPECT_LE(max_wait, bound_ms);
  EXPECT_GT(max_wait, bound_ms - 20);  // it filled up
  for (auto& p : d) EXPECT_LE(ms_between(p.sent, p.due), bound_ms + 8 + 20);
  EXPECT_EQ(dir.counters().packets_out + dir.counters().dropped_queue, 5000u);
}

TEST(ImpairedDirection, RateCapWithATimeQueueBoundsTheQueueDelay) {
  ImpairedDirection dir(settings_of("rate=300 queue=300ms"), 1);
  VirtualLinkRun run(dir);
  offer(run, 2000, 1200, 10.0);  // 960 kbit/s for 20 s
  run.finish();
  EXPECT_NEAR(kbps_between(run.delivered(), 1000, 20000), 300.0, 15.0);
  double max_wait = to_micros(dir.counters().max_queue_delay) / 1000.0;
  EXPECT_LE(max_wait, 300.0);
  EXPECT_GT(max_wait, 260.0);
}

TEST(ImpairedDirection, TrafficUnderTheCapIsNotQueuedOrDropped) {
  ImpairedDirection dir(settings_of("rate=1000 queue=10000"), 1);
  VirtualLinkRun run(dir);
  offer(run, 1000, 1000, 16.0);  // 500 kbit/s: each packet finds the link idle
  run.finish();
  EXPECT_EQ(dir.counters().dropped_queue, 0u);
  EXPECT_EQ(dir.counters().max_queue_delay, Duration(0));
  for (auto& p : run.delivered()) EXPECT_EQ(p.due - p.sent, milliseconds(8));  // serialisation
}

TEST(ImpairedDirection, AnOutageDropsWhatArrivesAndWhatIsInFlight) {
  ImpairedDirection dir(settings_of("delay=100ms"), 1);
  VirtualLinkRun run(dir);
  offer(run, 500, 100, 10.0);  // 0..5 s
  auto down = parse_change("down=2s");
  ASSERT_TRUE(down.ok());
  run.advance_to(at_ms(4995));
  dir.apply(*down, at_ms(4995));  // until 6995 ms
  offer(run, 500, 100, 10.0, 5000, 500);  // 5..10 s
  run.finish();
  // Sent in [4.9 s, 5 s): on the wire when the link went down; [5 s, 7 s): refused.
  EXPECT_EQ(dir.counters().dropped_outage, 210u);
  for (auto& p : run.delivered()) {
    bool in_outage = p.sent >= at_ms(4900) && p.sent < at_ms(7000);
    EXPECT_FALSE(in_outage) << "packet " << p.id;
  }
  EXPECT_EQ(run.delivered().size(), 790u);
}

TEST(ImpairedDirection, DownWithoutDurationLastsUntilUp) {
  ImpairedDirection dir(LinkSettings{}, 1);
  VirtualLinkRun run(dir);
  dir.apply(*parse_change("down"), at_ms(0));
  offer(run, 100, 100, 100.0);  // 0..10 s
  EXPECT_TRUE(dir.is_down(at_ms(9999)));
  dir.apply(*parse_change("up"), at_ms(10000));
  offer(run, 10, 100, 1.0, 10000, 100);
  run.finish();
  EXPECT_EQ(dir.counters().dropped_outage, 100u);
  EXPECT_EQ(run.delivered().size(), 10u);
}

TEST(ImpairedDirection, ScheduledRateChangesAreFollowed) {
  ImpairedDirection dir(settings_of("queue=300ms"), 1);
  VirtualLinkRun run(dir);
  auto schedule = parse_schedule("0:rate=2000;10:rate=300;30:rate=2000");
  ASSERT_TRUE(schedule.ok()) << schedule.error();
  run.use_schedule(ScheduleRunner(*schedule, at_ms(0)));
  offer(run, 10000, 1200, 4.0);  // 2400 kbit/s for 40 s
  run.finish();
  const auto& d = run.delivered();
  EXPECT_NEAR(kbps_between(d, 1000, 10000), 2000.0, 100.0);
  EXPECT_NEAR(kbps_between(d, 11000, 30000), 300.0, 15.0);
  EXPECT_NEAR(kbps_between(d, 31000, 40000), 2000.0, 100.0);
  // The 300 ms queued at 2000 kbit/s drains at 300 (2 s, as a real FIFO does);
  // once it has, new packets wait at most the queue's 300 ms.
  double max_wait = to_micros(dir.counters().max_queue_delay) / 1000.0;
  EXPECT_LE(max_wait, 2000.0 + 32);
  EXPECT_GT(max_wait, 1500.0);
  for (auto& p : d) {
    if (p.sent >= at_ms(13000) && p.sent < at_ms(30000)) {
      EXPECT_LE(ms_between(p.sent, p.due), 300.0 + 32) << "packet " << p.id;
    }
  }
}

TEST(ImpairedDirection, ANewDelayAppliesToPacketsSentAfterIt) {
  ImpairedDirection dir(settings_of("delay=100ms"), 1);
  VirtualLinkRun run(dir);
  run.send(0, 100, at_ms(0));
  dir.apply(*parse_change("delay=10ms"), at_ms(1));
  run.send(1, 100, at_ms(2));
  run.finish();
  ASSERT_EQ(run.delivered().size(), 2u);
  // Without reordering the faster one waits behind the slower.
  EXPECT_EQ(run.delivered()[0].id, 0u);
  EXPECT_EQ(run.delivered()[1].due, at_ms(100));
}

}  // namespace
}  // namespace peercall::netsim::test
