// Parsing of settings, commands, schedules and addresses; the two-direction link.
#include "link_settings.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "impaired_link.hpp"
#include "link_addresses.hpp"
#include "netsim_command.hpp"
#include "virtual_link_run.hpp"

namespace peercall::netsim::test {
namespace {

TEST(LinkSettings, ParsesUnits) {
  EXPECT_EQ(*parse_duration("100ms"), milliseconds(100));
  EXPECT_EQ(*parse_duration("100"), milliseconds(100));
  EXPECT_EQ(*parse_duration("1.5s"), milliseconds(1500));
  EXPECT_EQ(*parse_duration("250us"), microseconds(250));
  EXPECT_DOUBLE_EQ(*parse_percent("5%"), 0.05);
  EXPECT_DOUBLE_EQ(*parse_percent("0.5"), 0.005);
  EXPECT_EQ(*parse_rate("2000"), 2000);
  EXPECT_EQ(*parse_rate("2mbit"), 2000);
  EXPECT_EQ(*parse_rate("off"), 0);
  auto q = parse_queue("300ms");
  ASSERT_TRUE(q.ok());
  EXPECT_TRUE(q->by_time);
  EXPECT_EQ(q->time, milliseconds(300));
  q = parse_queue("64kB");
  ASSERT_TRUE(q.ok());
  EXPECT_FALSE(q->by_time);
  EXPECT_EQ(q->bytes, 64000);
}

TEST(LinkSettings, RefusesNonsenseWithAReason) {
  for (const char* bad : {"delay=-5ms", "delay=fast", "delay=5h", "loss=101%", "loss=5x", "rate=2gb",
                          "queue=0", "burst=20%", "burst=20%/0.5", "burst=100%/3", "gilbert=1%/0%/1%/1%",
                          "gilbert=1%/2%", "dist=poisson", "reorder=maybe", "speed=3", "delay",
                          "delay=nan", "delay=inf"}) {
    auto c = parse_change(bad);
    EXPECT_FALSE(c.ok()) << bad;
    EXPECT_FALSE(c.error().empty()) << bad;
  }
}

TEST(LinkSettings, BurstShorthandMeansStationaryLossAndMeanBurst) {
  auto ge = bursts_of(0.2, 3);
  ASSERT_TRUE(ge.ok());
  EXPECT_NEAR(ge->p_bad_to_good, 1.0 / 3, 1e-12);
  EXPECT_NEAR(ge->p_good_to_bad / (ge->p_good_to_bad + ge->p_bad_to_good), 0.2, 1e-12);
  EXPECT_EQ(ge->loss_in_bad, 1.0);
  EXPECT_EQ(ge->loss_in_good, 0.0);
  EXPECT_FALSE(parse_change("burst=off")->bursty.enabled());
}

TEST(NetsimCommand, ParsesDirectionsAndOutages) {
  auto c = parse_command("a->b loss=5%");
  ASSERT_TRUE(c.ok()) << c.error();
  EXPECT_EQ(c->which, Which::a_to_b);
  ASSERT_EQ(c->changes.size(), 1u);
  EXPECT_EQ(c->changes[0].key, Change::Key::loss);

  c = parse_command("both down 2s");
  ASSERT_TRUE(c.ok()) << c.error();
  EXPECT_EQ(c->which, Which::both);
  ASSERT_EQ(c->changes.size(), 1u);
  EXPECT_EQ(c->changes[0].key, Change::Key::down);
  EXPECT_EQ(c->changes[0].duration, seconds(2));
  EXPECT_FALSE(c->changes[0].forever);

  c = parse_command("b->a down");
  ASSERT_TRUE(c.ok());
  EXPECT_TRUE(c->changes[0].forever);

  c = parse_command("  rate=300, queue=300ms delay=20ms\r");
  ASSERT_TRUE(c.ok()) << c.error();
  EXPECT_EQ(c->which, Which::both);
  EXPECT_EQ(c->changes.size(), 3u);

  EXPECT_FALSE(parse_command("").ok());
  EXPECT_FALSE(parse_command("a->b").ok());
  EXPECT_FALSE(parse_command("c->d loss=5%").ok());
  EXPECT_FALSE(parse_command("a->b loss=5% bogus=1").ok());
}

TEST(NetsimCommand, ParsesAndSortsASchedule) {
  auto s = parse_schedule("30:rate=2000; 0:rate=2000;10:a->b rate=300 queue=300ms;1.5s:both down 2s");
  ASSERT_TRUE(s.ok()) << s.error();
  ASSERT_EQ(s->size(), 4u);
  EXPECT_EQ((*s)[0].at, seconds(0));
  EXPECT_EQ((*s)[1].at, milliseconds(1500));
  EXPECT_EQ((*s)[2].at, seconds(10));
  EXPECT_EQ((*s)[2].command.which, Which::a_to_b);
  EXPECT_EQ((*s)[3].at, seconds(30));
  for (const char* bad : {"", "rate=300", "x:rate=300", "10:rate=fast", "-1:rate=3"})
    EXPECT_FALSE(parse_schedule(bad).ok()) << bad;
}

TEST(NetsimCommand, ScheduleRunnerHandsOutEachCommandOnceWhenDue) {
  auto s = parse_schedule("0:rate=2000;10:rate=300;30:rate=2000");
  ASSERT_TRUE(s.ok());
  ScheduleRunner runner(*s, at_ms(1000));
  EXPECT_EQ(runner.due(at_ms(1000)).size(), 1u);
  EXPECT_EQ(runner.next_wakeup(), at_ms(11000));
  EXPECT_TRUE(runner.due(at_ms(10999)).empty());
  EXPECT_EQ(runner.due(at_ms(40000)).size(), 2u);
  EXPECT_FALSE(runner.next_wakeup().has_value());
  EXPECT_TRUE(runner.due(at_ms(50000)).empty());
}

TEST(ImpairedLink, CommandsReachTheDirectionsTheyName) {
  ImpairedLink link(LinkSettings{}, LinkSettings{}, 1);
  link.apply(*parse_command("a->b rate=300 loss=100%"), at_ms(0));
  EXPECT_EQ(link.a_to_b().settings().rate_kbps, 300);
  EXPECT_EQ(link.b_to_a().settings().rate_kbps, 0);
  link.apply(*parse_command("both down 2s"), at_ms(0));
  EXPECT_TRUE(link.a_to_b().is_down(at_ms(1999)));
  EXPECT_TRUE(link.b_to_a().is_down(at_ms(1999)));
  EXPECT_FALSE(link.b_to_a().is_down(at_ms(2000)));
  link.a_to_b().enqueue(Bytes(100, 0), at_ms(3000));
  link.b_to_a().enqueue(Bytes(100, 0), at_ms(1000));
  link.b_to_a().enqueue(Bytes(100, 0), at_ms(3000));
  EXPECT_EQ(link.next_wakeup(), at_ms(3000));
  EXPECT_EQ(link.b_to_a().poll(at_ms(3000)).size(), 1u);

  auto j = nlohmann::json::parse(link.counters_json());
  EXPECT_EQ(j["a->b"]["packets_in"], 1);
  EXPECT_EQ(j["a->b"]["dropped_loss"], 1);
  EXPECT_EQ(j["b->a"]["dropped_outage"], 1);
  EXPECT_EQ(j["b->a"]["packets_out"], 1);
  for (const char* key : {"packets_in", "packets_out", "dropped_loss", "dropped_queue",
                          "dropped_outage", "max_queue_delay_ms"})
    EXPECT_TRUE(j["b->a"].contains(key)) << key;
}

TEST(ImpairedLink, DirectionsDrawIndependentRandomness) {
  EXPECT_NE(direction_seed(1, 0), direction_seed(1, 1));
  EXPECT_NE(direction_seed(1, 0), direction_seed(2, 0));
  EXPECT_EQ(direction_seed(7, 1), direction_seed(7, 1));
}

TEST(LinkAddresses, AcceptsOnly198_18Slash15) {
  auto ok = check_link_addresses("198.18.0.1/24", "198.18.0.2/24");
  ASSERT_TRUE(ok.ok()) << ok.error();
  EXPECT_EQ(ok->a.text(), "198.18.0.1/24");
  EXPECT_EQ(ok->b.address_text(), "198.18.0.2");
  EXPECT_TRUE(check_link_addresses("198.19.200.1/16", "198.19.3.4/16").ok());
  EXPECT_TRUE(check_link_addresses("198.18.0.1/15", "198.19.0.1/15").ok());
  for (auto [a, b] : std::vector<std::pair<const char*, const char*>>{
           {"10.0.0.1/24", "10.0.0.2/24"},          // private, not the benchmarking range
           {"198.20.0.1/24", "198.20.0.2/24"},      // just outside
           {"198.17.255.1/24", "198.17.255.2/24"},  // just below
           {"198.18.0.1/14", "198.18.0.2/14"},      // the subnet would leave the range
           {"198.18.0.1/24", "198.18.1.2/24"},      // different subnets
           {"198.18.0.1/24", "198.18.0.1/24"},      // the same address
           {"198.18.0.0/24", "198.18.0.2/24"},      // the subnet's own address
           {"198.18.0.1/24", "198.18.0.255/24"},    // broadcast
           {"198.18.0.1/24", "198.18.0.2/25"},      // different prefixes
           {"198.18.0.1", "198.18.0.2"},            // no prefix
           {"198.18.0.1/31", "198.18.0.0/31"},      // too small
           {"198.18.0.256/24", "198.18.0.2/24"},    // not an address
           {"198.18.0/24", "198.18.0.2/24"},
           {"198.18.0.1.5/24", "198.18.0.2/24"}}) {
    auto r = check_link_addresses(a, b);
    EXPECT_FALSE(r.ok()) << a << " " << b;
  }
}

TEST(LinkAddresses, NamespaceNamesAreSafeFileNames) {
  EXPECT_TRUE(check_namespace_name("pcsimA").ok());
  EXPECT_TRUE(check_namespace_name("pc-sim_1.a").ok());
  for (const char* bad : {"", ".", "..", "../etc", "a/b", "a b", "0123456789012345678901234567890123"})
    EXPECT_FALSE(check_namespace_name(bad).ok()) << bad;
}

}  // namespace
}  // namespace peercall::netsim::test
