#include "output/sdl/window_layout.hpp"

#include <gtest/gtest.h>

namespace peercall {
namespace {

TEST(WindowLayout, LetterboxKeepsAspectAndCentres) {
  // 4:3 into 16:9: bars left and right.
  LayoutRect r = letterbox(640, 480, {0, 0, 1280, 720});
  EXPECT_EQ(r.w, 960);
  EXPECT_EQ(r.h, 720);
  EXPECT_EQ(r.x, 160);
  EXPECT_EQ(r.y, 0);
  // 16:9 into 4:3: bars top and bottom.
  r = letterbox(1280, 720, {0, 0, 800, 600});
  EXPECT_EQ(r.w, 800);
  EXPECT_EQ(r.h, 450);
  EXPECT_EQ(r.y, 75);
  // Same aspect: fills exactly, offset by the box origin.
  r = letterbox(320, 180, {10, 20, 640, 360});
  EXPECT_EQ(r.x, 10);
  EXPECT_EQ(r.y, 20);
  EXPECT_EQ(r.w, 640);
  EXPECT_EQ(r.h, 360);
}

TEST(WindowLayout, LetterboxOfNothingIsEmpty) {
  EXPECT_EQ(letterbox(0, 480, {0, 0, 100, 100}).w, 0);
  EXPECT_EQ(letterbox(640, 480, {0, 0, 0, 100}).w, 0);
  EXPECT_EQ(letterbox(640, -1, {0, 0, 100, 100}).h, 0);
}

TEST(WindowLayout, SelfViewIsAQuarterWidthInTheBottomRightCorner) {
  const LayoutRect r = self_view_rect(640, 360, 1280, 720);
  EXPECT_EQ(r.w, 320);
  EXPECT_EQ(r.h, 180);
  EXPECT_EQ(r.x + r.w, 1280 - kSelfViewMargin);
  EXPECT_EQ(r.y + r.h, 720 - kSelfViewMargin);
}

TEST(WindowLayout, PortraitSelfViewStaysInTheLowerHalf) {
  const LayoutRect r = self_view_rect(360, 640, 1280, 720);
  EXPECT_LE(r.h, 720 / 2);
  EXPECT_GE(r.y, 720 / 2);
  EXPECT_GT(r.w, 0);
}

TEST(WindowLayout, FitWithinOnlyShrinks) {
  LayoutRect r = fit_within(640, 360, 1280, 720);
  EXPECT_EQ(r.w, 640);
  EXPECT_EQ(r.h, 360);
  r = fit_within(1920, 1080, 1280, 720);
  EXPECT_EQ(r.w, 1280);
  EXPECT_EQ(r.h, 720);
  r = fit_within(1000, 1000, 1280, 720);
  EXPECT_EQ(r.w, 720);
  EXPECT_EQ(r.h, 720);
}

TEST(WindowLayout, CallLayoutRemoteBigSelfSmall) {
  const CallLayout l = call_layout(640, 360, 320, 180, 1280, 720, false, true);
  EXPECT_FALSE(l.self_is_big);
  EXPECT_EQ(l.remote.w, 1280);
  EXPECT_EQ(l.remote.h, 720);
  EXPECT_EQ(l.self.w, 320);
  EXPECT_EQ(l.self.x + l.self.w, 1280 - kSelfViewMargin);
}

TEST(WindowLayout, CallLayoutSwappedPutsTheSelfViewBig) {
  const CallLayout l = call_layout(640, 360, 480, 360, 1280, 720, true, true);
  EXPECT_TRUE(l.self_is_big);
  EXPECT_EQ(l.self.h, 720);  // 4:3 letterboxed in 16:9
  EXPECT_EQ(l.self.w, 960);
  EXPECT_EQ(l.self.x, 160);
  EXPECT_EQ(l.remote.w, 320);
  EXPECT_EQ(l.remote.y + l.remote.h, 720 - kSelfViewMargin);
}

TEST(WindowLayout, CallLayoutWithoutSelfViewIgnoresSwap) {
  const CallLayout l = call_layout(640, 360, 320, 180, 1280, 720, true, false);
  EXPECT_FALSE(l.self_is_big);
  EXPECT_EQ(l.remote.w, 1280);
  EXPECT_EQ(l.self.w, 0);
  EXPECT_EQ(l.self.h, 0);
}

TEST(WindowLayout, CornerLabelSitsBottomLeftInsideThePicture) {
  const LayoutRect r = corner_label({100, 50, 640, 360}, 80, 20, 12);
  EXPECT_EQ(r.x, 112);
  EXPECT_EQ(r.y, 50 + 360 - 12 - 20);
  EXPECT_EQ(r.w, 80);
  // A picture lower than the label: the label starts at its top.
  EXPECT_EQ(corner_label({0, 30, 100, 10}, 80, 20, 12).y, 30);
}

}  // namespace
}  // namespace peercall
