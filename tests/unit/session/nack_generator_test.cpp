#include "session/nack_generator.hpp"

#include <gtest/gtest.h>

namespace peercall {
namespace {

const Instant t0 = instant_from_micros(1'000'000);
const Duration kRtt = milliseconds(100);

TEST(NackGenerator, NacksAGapAtOnceInOneBatch) {
  NackGenerator g{LossRecoveryConfig{}};
  g.on_packet(100, t0);
  g.on_packet(101, t0);
  g.on_packet(105, t0 + milliseconds(5));  // 102..104 missing
  EXPECT_EQ(g.take_due(t0 + milliseconds(5), kRtt), (std::vector<uint16_t>{102, 103, 104}));
  EXPECT_TRUE(g.take_due(t0 + milliseconds(6), kRtt).empty());
  EXPECT_EQ(g.stats().nacks_sent, 1u);
  EXPECT_EQ(g.stats().packets_nacked, 3u);
}

TEST(NackGenerator, AGapForgottenIsNeverAskedFor) {
  NackGenerator g{LossRecoveryConfig{}};
  g.on_packet(100, t0);
  g.on_packet(101, t0);
  g.on_packet(130, t0 + seconds(2));  // an outage took 102..129
  g.forget_before(130);
  g.on_packet(132, t0 + seconds(2));  // 131 is a fresh loss: still asked for
  EXPECT_EQ(g.take_due(t0 + seconds(2), kRtt), (std::vector<uint16_t>{131}));
  EXPECT_EQ(g.stats().packets_given_up, 28u);
}

TEST(NackGenerator, RecoveredPacketsAreNotAskedForAgain) {
  NackGenerator g{LossRecoveryConfig{}};
  g.on_packet(1, t0);
  g.on_packet(4, t0);
  g.take_due(t0, kRtt);
  g.on_packet(2, t0 + milliseconds(100));
  EXPECT_EQ(g.stats().packets_recovered, 1u);
  // Re-NACK after 1.2 RTT for the one still missing.
  EXPECT_EQ(g.next_timeout(kRtt), t0 + milliseconds(120));
  EXPECT_TRUE(g.take_due(t0 + milliseconds(119), kRtt).empty());
  EXPECT_EQ(g.take_due(t0 + milliseconds(120), kRtt), (std::vector<uint16_t>{3}));
}

TEST(NackGenerator, GivesUpWhenARetransmissionCouldNoLongerArrive) {
  NackGenerator g{LossRecoveryConfig{}};  // wait max(4 RTT, 300 ms) = 400 ms at RTT 100
  g.on_packet(1, t0);
  g.on_packet(3, t0);
  std::vector<Instant> asks;
  Instant now = t0;
  for (int i = 0; i < 20 && g.missing() > 0; ++i) {
    if (!g.take_due(now, kRtt).empty()) asks.push_back(now);
    auto next = g.next_timeout(kRtt);
    if (!next) break;
    now = *next;
  }
  // At 0, 120 and 240 ms; at 360 the answer would come after the 400 ms budget.
  ASSERT_EQ(asks.size(), 3u);
  EXPECT_EQ(asks[2] - t0, milliseconds(240));
  EXPECT_EQ(g.missing(), 0u);
  EXPECT_EQ(now - t0, milliseconds(400));
  EXPECT_EQ(g.stats().packets_given_up, 1u);
}

TEST(NackGenerator, LongRoundTripsAskOnceOrNotAtAll) {
  NackGenerator g{LossRecoveryConfig{}};  // budget capped at 1 s
  g.on_packet(1, t0);
  g.on_packet(3, t0);
  EXPECT_EQ(g.take_due(t0, milliseconds(600)).size(), 1u);
  EXPECT_TRUE(g.take_due(t0 + milliseconds(720), milliseconds(600)).empty());  // 720 + 600 > 1000
  NackGenerator far{LossRecoveryConfig{}};
  far.on_packet(1, t0);
  far.on_packet(3, t0);
  EXPECT_TRUE(far.take_due(t0, milliseconds(1200)).empty());  // no answer could arrive in time
}

TEST(NackGenerator, HugeJumpsAreNotNacked) {
  NackGenerator g{LossRecoveryConfig{}};
  g.on_packet(1, t0);
  g.on_packet(1 + NackGenerator::kMaxGap + 2, t0);
  EXPECT_EQ(g.missing(), 0u);
  EXPECT_EQ(g.stats().gaps_too_large, 1u);
  g.on_packet(NackGenerator::kMaxGap + 5, t0);
  EXPECT_EQ(g.take_due(t0, kRtt).size(), 1u);
}

}  // namespace
}  // namespace peercall
