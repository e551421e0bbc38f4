#include "fec/fec_protection.hpp"

#include <gtest/gtest.h>

#include <set>

namespace peercall {
namespace {

size_t covers(const FecProtectionPlan& plan, size_t packet) {
  size_t count = 0;
  for (const auto& g : plan.groups) {
    for (size_t i : g) count += i == packet;
  }
  return count;
}

TEST(FecProtection, NoLossNoFec) {
  EXPECT_TRUE(plan_protection(20, 0.0, 1, false).groups.empty());
  EXPECT_TRUE(plan_protection(20, 0.0, 1, true).groups.empty());
  EXPECT_TRUE(plan_protection(20, 0.0001, 1, false).groups.empty());
}

TEST(FecProtection, LightLossGetsLittle) {
  const auto plan = plan_protection(20, 0.002, 1, false);
  ASSERT_FALSE(plan.groups.empty());
  EXPECT_LE(plan.groups.size(), 2u);
  EXPECT_LT(plan.estimated_failure, 0.01);
}

TEST(FecProtection, FivePercentMeetsTheTargetWithinTheCap) {
  for (size_t n = 1; n <= 40; ++n) {
    const auto plan = plan_protection(n, 0.05, 1, false);
    ASSERT_FALSE(plan.groups.empty()) << n;
    EXPECT_LE(plan.groups.size(), std::max<size_t>(1, n / 2)) << n;
    for (size_t i = 0; i < n; ++i) EXPECT_GE(covers(plan, i), 1u) << n << " " << i;
    if (n >= 10) {
      EXPECT_LT(plan.estimated_failure, 0.01) << n;
    } else if (plan.estimated_failure >= 0.01) {
      EXPECT_EQ(plan.groups.size(), std::max<size_t>(1, n / 2)) << n;  // the cap
    }
  }
}

TEST(FecProtection, KeyframesGetMore) {
  const auto delta = plan_protection(20, 0.05, 1, false);
  const auto key = plan_protection(20, 0.05, 1, true);
  EXPECT_GT(key.groups.size(), delta.groups.size());
  EXPECT_LT(key.estimated_failure, delta.estimated_failure);
}

TEST(FecProtection, BurstsOfThreeHitThreeDifferentRepairsSomewhere) {
  for (size_t n : {6, 10, 20, 30, 60}) {
    const auto plan = plan_protection(n, 0.05, 3, false);
    ASSERT_FALSE(plan.groups.empty());
    for (size_t start = 0; start + 3 <= n; ++start) {
      // Some repair covers exactly one packet of every burst position.
      for (size_t lost = start; lost < start + 3; ++lost) {
        bool alone = false;
        for (const auto& g : plan.groups) {
          std::set<size_t> s(g.begin(), g.end());
          if (s.count(lost) && !s.count(lost == start ? start + 1 : start) &&
              !s.count(lost == start + 2 ? start + 1 : start + 2)) {
            alone = true;
          }
        }
        EXPECT_TRUE(alone) << n << " " << lost;
      }
    }
  }
}

TEST(FecProtection, LargeFramesAreChunkedWithinTheMaskSpan) {
  const auto plan = plan_protection(300, 0.05, 1, true);
  ASSERT_FALSE(plan.groups.empty());
  for (const auto& g : plan.groups) EXPECT_LT(g.back() - g.front(), 110u);
  for (size_t i = 0; i < 300; ++i) EXPECT_GE(covers(plan, i), 1u);
}

}  // namespace
}  // namespace peercall
