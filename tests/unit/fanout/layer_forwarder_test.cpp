#include "fanout/layer_forwarder.hpp"

#include <gtest/gtest.h>

namespace peercall {
namespace {

const Instant t0{};

TEST(LayerForwarder, PassesItsLayerOnly) {
  LayerForwarder f;
  EXPECT_TRUE(f.admit(0, false, t0));
  EXPECT_FALSE(f.admit(1, true, t0));
  EXPECT_FALSE(f.keyframe_wanted(t0));
}

TEST(LayerForwarder, MovesAtTheNewLayersKeyframeWithoutAGap) {
  LayerForwarder f;
  f.want_layer(1);
  EXPECT_EQ(f.keyframe_wanted(t0), 1);
  EXPECT_TRUE(f.admit(0, false, t0)) << "the old layer until the move";
  EXPECT_FALSE(f.admit(1, false, t0)) << "a delta frame of the new layer cannot start it";
  EXPECT_TRUE(f.admit(1, true, t0));
  EXPECT_EQ(f.layer(), 1);
  EXPECT_FALSE(f.admit(0, false, t0));
  EXPECT_TRUE(f.admit(1, false, t0));
  EXPECT_FALSE(f.keyframe_wanted(t0));
  EXPECT_EQ(f.stats().switches, 1u);
}

TEST(LayerForwarder, AMoveTakenBackBeforeItHappenedIsForgotten) {
  LayerForwarder f;
  f.want_layer(1);
  f.want_layer(0);
  EXPECT_FALSE(f.keyframe_wanted(t0));
  EXPECT_FALSE(f.admit(1, true, t0));
  EXPECT_EQ(f.layer(), 0);
}

TEST(LayerForwarder, AHoldWithholdsThenStartsOnAKeyframe) {
  LayerForwarder f;
  f.hold(milliseconds(300), t0);
  EXPECT_FALSE(f.admit(0, true, t0 + milliseconds(100))) << "even a keyframe: the queue still drains";
  EXPECT_FALSE(f.keyframe_wanted(t0 + milliseconds(100))) << "asked for only once it could be sent";
  EXPECT_EQ(f.keyframe_wanted(t0 + milliseconds(300)), 0);
  EXPECT_FALSE(f.admit(0, false, t0 + milliseconds(310))) << "no delta frame without its reference";
  EXPECT_TRUE(f.admit(0, true, t0 + milliseconds(340)));
  EXPECT_TRUE(f.admit(0, false, t0 + milliseconds(370)));
  EXPECT_FALSE(f.keyframe_wanted(t0 + milliseconds(370)));
  EXPECT_EQ(f.stats().frames_withheld, 2u);
  EXPECT_EQ(f.stats().holds, 1u);
}

TEST(LayerForwarder, AHoldReleasedEarlyTakesTheNextKeyframe) {
  LayerForwarder f;
  EXPECT_FALSE(f.release(t0)) << "nothing held";
  f.hold(milliseconds(800), t0);
  EXPECT_TRUE(f.release(t0 + milliseconds(250)));
  EXPECT_EQ(f.keyframe_wanted(t0 + milliseconds(250)), 0);
  EXPECT_FALSE(f.admit(0, false, t0 + milliseconds(260)));
  EXPECT_TRUE(f.admit(0, true, t0 + milliseconds(290)));
}

TEST(LayerForwarder, AHoldDuringAMoveEndsOnTheNewLayersKeyframe) {
  LayerForwarder f;
  f.want_layer(1);
  f.hold(milliseconds(200), t0);
  EXPECT_FALSE(f.admit(1, true, t0 + milliseconds(50)));
  EXPECT_EQ(f.keyframe_wanted(t0 + milliseconds(250)), 1);
  // Whichever keyframe comes first brings the picture back.
  EXPECT_FALSE(f.admit(1, false, t0 + milliseconds(255)));
  EXPECT_TRUE(f.admit(0, true, t0 + milliseconds(260)));
  EXPECT_EQ(f.keyframe_wanted(t0 + milliseconds(260)), 1) << "the move is still to be made";
  EXPECT_TRUE(f.admit(1, true, t0 + milliseconds(290)));
  EXPECT_EQ(f.layer(), 1);
  EXPECT_FALSE(f.keyframe_wanted(t0 + milliseconds(290)));
}

}  // namespace
}  // namespace peercall
