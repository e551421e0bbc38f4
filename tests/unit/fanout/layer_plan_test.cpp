#include "fanout/layer_plan.hpp"

#include <gtest/gtest.h>

namespace peercall {
namespace {

const Instant t0{};

TEST(LayerPlan, OneViewerIsAlwaysOnTheFirstLayer) {
  LayerPlan plan;
  plan.set_target("a", 100'000, t0);
  EXPECT_EQ(plan.layer_of("a"), 0);
  EXPECT_EQ(plan.layer_bps(0), 100'000);
  EXPECT_EQ(plan.layer_bps(1), 0);
  EXPECT_EQ(plan.active_layers(), 1);
}

TEST(LayerPlan, ViewersOfSimilarRatesShareOneEncodingAtTheSlowestRate) {
  LayerPlan plan;
  plan.set_target("a", 1'500'000, t0);
  plan.set_target("b", 800'000, t0);  // over half of a's
  EXPECT_EQ(plan.layer_of("b"), 0);
  EXPECT_EQ(plan.layer_bps(0), 800'000) << "nobody on layer 0 is pushed past its link";
  EXPECT_EQ(plan.active_layers(), 1);
}

TEST(LayerPlan, ASlowViewerGetsItsOwnEncodingAndTheOthersKeepTheirRate) {
  LayerPlan plan;
  plan.set_target("a", 1'500'000, t0);
  plan.set_target("b", 1'400'000, t0);
  plan.set_target("slow", 250'000, t0);
  EXPECT_EQ(plan.layer_of("slow"), 1);
  EXPECT_EQ(plan.layer_of("a"), 0);
  EXPECT_EQ(plan.layer_bps(0), 1'400'000);
  EXPECT_EQ(plan.layer_bps(1), 250'000);
  EXPECT_EQ(plan.active_layers(), 2);
  EXPECT_EQ(plan.viewers_on(1), 1u);
}

TEST(LayerPlan, MovesBackOnlyWithHeadroomAndAfterTheDwell) {
  LayerPlan plan;
  plan.set_target("a", 1'000'000, t0);
  plan.set_target("b", 300'000, t0);
  ASSERT_EQ(plan.layer_of("b"), 1);
  plan.set_target("b", 600'000, t0 + seconds(5));  // over half, under 70%: stays (hysteresis)
  EXPECT_EQ(plan.layer_of("b"), 1);
  plan.set_target("b", 900'000, t0 + seconds(5) + milliseconds(500));
  EXPECT_EQ(plan.layer_of("b"), 1) << "one estimate (a probe's) is not yet a link that carries it";
  plan.set_target("b", 600'000, t0 + seconds(6));  // it was not: the wait starts again
  plan.set_target("b", 900'000, t0 + seconds(7));
  plan.set_target("b", 900'000, t0 + seconds(8) + milliseconds(500));
  EXPECT_EQ(plan.layer_of("b"), 1) << "1.5 s of headroom";
  plan.set_target("b", 900'000, t0 + seconds(9));
  EXPECT_EQ(plan.layer_of("b"), 0) << "2 s of headroom";
  // Down again at once would flap: a move costs a keyframe.
  plan.set_target("b", 200'000, t0 + seconds(10));
  EXPECT_EQ(plan.layer_of("b"), 0) << "within the dwell";
  plan.set_target("b", 200'000, t0 + seconds(11));
  EXPECT_EQ(plan.layer_of("b"), 1);
}

TEST(LayerPlan, TheFastestViewerIsNeverAloneOnTheLowLayer) {
  LayerPlan plan;
  plan.set_target("a", 1'000'000, t0);
  plan.set_target("b", 200'000, t0);
  ASSERT_EQ(plan.layer_of("b"), 1);
  // a's link collapses far below b's while b is still within its dwell on
  // layer 1: a moves down, and b (now the fastest) must not stay on layer 1
  // with nobody on layer 0.
  plan.set_target("a", 50'000, t0 + seconds(1));
  EXPECT_EQ(plan.layer_of("a"), 1);
  EXPECT_EQ(plan.layer_of("b"), 0);
  EXPECT_EQ(plan.layer_bps(0), 200'000);
  EXPECT_EQ(plan.layer_bps(1), 50'000);
}

TEST(LayerPlan, TheLastViewerLeftGoesBackToTheFirstLayer) {
  LayerPlan plan;
  plan.set_target("a", 1'000'000, t0);
  plan.set_target("b", 200'000, t0);
  ASSERT_EQ(plan.layer_of("b"), 1);
  plan.remove("a");
  EXPECT_EQ(plan.layer_of("b"), 0);
  EXPECT_EQ(plan.active_layers(), 1);
  EXPECT_EQ(plan.layer_bps(0), 200'000);
}

TEST(LayerPlan, WhenTheFastestLeavesTheOthersAreNotLeftOnTheLowLayerAlone) {
  LayerPlan plan;
  plan.set_target("fast", 1'500'000, t0);
  plan.set_target("b", 300'000, t0);
  plan.set_target("c", 250'000, t0);
  ASSERT_EQ(plan.viewers_on(1), 2u);
  plan.remove("fast");  // no target comes with it: nobody would be on layer 0
  EXPECT_EQ(plan.viewers_on(0), 1u);
  EXPECT_EQ(plan.layer_of("b"), 0) << "the fastest left takes layer 0";
  EXPECT_EQ(plan.layer_bps(0), 300'000);
}

TEST(LayerPlan, OneLayerWhenSimulcastIsOff) {
  LayerPlan plan({.max_layers = 1});
  plan.set_target("a", 1'000'000, t0);
  plan.set_target("b", 200'000, t0);
  EXPECT_EQ(plan.layer_of("b"), 0);
  EXPECT_EQ(plan.layer_bps(0), 200'000);
  EXPECT_EQ(plan.active_layers(), 1);
}

}  // namespace
}  // namespace peercall
