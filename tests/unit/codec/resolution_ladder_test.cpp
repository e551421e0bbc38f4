#include "media/codec/resolution_ladder.hpp"

#include <gtest/gtest.h>

namespace peercall {
namespace {

const Instant t0 = instant_from_micros(1'000'000);
constexpr PictureSize kVga{640, 480};
constexpr PictureSize k720p{1280, 720};

TEST(ResolutionLadder, EnoughBitsKeepTheSourceSize) {
  ResolutionLadder ladder;
  EXPECT_EQ(ladder.choose(k720p, 1'500'000, 30, t0), k720p);  // 0.054 bit/pixel
  EXPECT_EQ(ladder.choose(kVga, 1'000'000, 30, t0), kVga);
  EXPECT_EQ(ladder.step(), 0);
}

TEST(ResolutionLadder, ALowRateGoesDownAtOnceAsFarAsNeeded) {
  ResolutionLadder ladder;
  ladder.choose(kVga, 1'000'000, 30, t0);
  // 210 kbit/s: 640x480 has 0.023 bit/pixel, 480x360 0.041.
  EXPECT_EQ(ladder.choose(kVga, 210'000, 30, t0 + milliseconds(10)), (PictureSize{480, 360}));
  // 60 kbit/s: down to 240x180 (0.046) in one go.
  EXPECT_EQ(ladder.choose(kVga, 60'000, 30, t0 + milliseconds(20)), (PictureSize{240, 180}));
}

TEST(ResolutionLadder, UpOnlyAfterTheLargerSizeWasAffordableForTwoSeconds) {
  ResolutionLadder ladder;
  ASSERT_EQ(ladder.choose(kVga, 210'000, 30, t0), (PictureSize{480, 360}));
  // 1.5 Mbit/s again: 640x480 affordable, but only after 2 s of it.
  EXPECT_EQ(ladder.choose(kVga, 1'500'000, 30, t0 + seconds(1)), (PictureSize{480, 360}));
  EXPECT_EQ(ladder.choose(kVga, 1'500'000, 30, t0 + milliseconds(2900)), (PictureSize{480, 360}));
  EXPECT_EQ(ladder.choose(kVga, 1'500'000, 30, t0 + seconds(3)), kVga);
}

TEST(ResolutionLadder, ADipResetsTheWaitUp) {
  ResolutionLadder ladder;
  ASSERT_EQ(ladder.choose(kVga, 210'000, 30, t0), (PictureSize{480, 360}));
  ladder.choose(kVga, 1'500'000, 30, t0 + seconds(1));
  ladder.choose(kVga, 300'000, 30, t0 + milliseconds(2500));  // 640x480 not affordable: wait again
  EXPECT_EQ(ladder.choose(kVga, 1'500'000, 30, t0 + milliseconds(3500)), (PictureSize{480, 360}));
  EXPECT_EQ(ladder.choose(kVga, 1'500'000, 30, t0 + milliseconds(5500)), kVga);
}

TEST(ResolutionLadder, BetweenTheThresholdsItStays) {
  ResolutionLadder ladder;
  ASSERT_EQ(ladder.choose(kVga, 250'000, 30, t0), (PictureSize{480, 360}));
  // 400 kbit/s: 640x480 at 0.043 is above the floor but below the way up.
  for (int i = 1; i < 10; ++i) EXPECT_EQ(ladder.choose(kVga, 400'000, 30, t0 + seconds(i)), (PictureSize{480, 360}));
  ResolutionLadder fresh;
  EXPECT_EQ(fresh.choose(kVga, 400'000, 30, t0), kVga);  // and a full-size stream at that rate stays full
}

TEST(ResolutionLadder, NeverBelowTheMinimumAndKeepsTheAspect) {
  ResolutionLadder ladder;
  const PictureSize s = ladder.choose(kVga, 1'000, 30, t0);
  EXPECT_GE(s.width, 128);
  EXPECT_GE(s.height, 72);
  EXPECT_EQ(s.width % 2, 0);
  EXPECT_EQ(s.height % 2, 0);
  EXPECT_NEAR(double(s.width) / s.height, 4.0 / 3.0, 0.05);
  const PictureSize portrait = ResolutionLadder().choose({360, 640}, 1'000, 30, t0);
  EXPECT_GE(portrait.width, 128);
  EXPECT_GE(portrait.height, 72);
  EXPECT_LT(portrait.width, portrait.height);
  // A source already smaller than the minimum is left alone.
  EXPECT_EQ(ResolutionLadder().choose({96, 64}, 1'000, 30, t0), (PictureSize{96, 64}));
}

// A size whose picture is too blurred (x264's quantizer near its top) goes
// down one step even though the bits per pixel are plenty, and the larger
// size is tried again only at 1.5 x the rate it failed at.
TEST(ResolutionLadder, ABlurredPictureStepsDownAndWaitsForMoreRate) {
  ResolutionLadder ladder;
  ASSERT_EQ(ladder.choose(kVga, 1'000'000, 30, t0), kVga);  // 0.108 bit/pixel
  for (int i = 0; i < 29; ++i) ladder.on_frame_qp(46);
  EXPECT_EQ(ladder.choose(kVga, 1'000'000, 30, t0 + milliseconds(900)), kVga) << "not on 29 frames";
  ladder.on_frame_qp(46);
  EXPECT_EQ(ladder.choose(kVga, 1'000'000, 30, t0 + seconds(1)), (PictureSize{480, 360}));
  // Sharp now: but 640x480 failed at 1 Mbit/s, so it waits for 1.5.
  for (int i = 0; i < 90; ++i) ladder.on_frame_qp(25);
  EXPECT_EQ(ladder.choose(kVga, 1'400'000, 30, t0 + seconds(2)), (PictureSize{480, 360}));
  EXPECT_EQ(ladder.choose(kVga, 1'400'000, 30, t0 + seconds(5)), (PictureSize{480, 360}));
  EXPECT_EQ(ladder.choose(kVga, 1'500'000, 30, t0 + seconds(6)), (PictureSize{480, 360}));
  EXPECT_EQ(ladder.choose(kVga, 1'500'000, 30, t0 + seconds(8)), kVga);
}

TEST(ResolutionLadder, ASharpPictureKeepsItsSizeAndTheSmallestStaysPut) {
  ResolutionLadder ladder;
  ASSERT_EQ(ladder.choose(kVga, 1'000'000, 30, t0), kVga);
  for (int i = 0; i < 300; ++i) {
    ladder.on_frame_qp(i % 2 ? 30 : 48);  // an average of 39: under the bound
    if (i % 30 == 29) EXPECT_EQ(ladder.choose(kVga, 1'000'000, 30, t0 + milliseconds(33 * i)), kVga);
  }
  // At the smallest size there is nowhere to go: it stays.
  const PictureSize smallest = ladder.choose(kVga, 1'000, 30, t0 + seconds(20));
  for (int i = 0; i < 60; ++i) ladder.on_frame_qp(51);
  EXPECT_EQ(ladder.choose(kVga, 1'000, 30, t0 + seconds(22)), smallest);
  // Blur alone never takes it below 320x180's pixels: from 320x240 (half of
  // 640x480, reached by the rate) it stays, however blurred.
  ResolutionLadder half;
  ASSERT_EQ(half.choose(kVga, 120'000, 30, t0), (PictureSize{320, 240}));
  for (int i = 0; i < 60; ++i) half.on_frame_qp(51);
  EXPECT_EQ(half.choose(kVga, 120'000, 30, t0 + seconds(2)), (PictureSize{320, 240}));
  // Unknown quantizers (-1) count for nothing: 29 blurred frames and one
  // unknown are not the 30 a step down needs.
  ResolutionLadder unknown;
  ASSERT_EQ(unknown.choose(kVga, 1'000'000, 30, t0), kVga);
  for (int i = 0; i < 29; ++i) unknown.on_frame_qp(46);
  unknown.on_frame_qp(-1);
  EXPECT_EQ(unknown.choose(kVga, 1'000'000, 30, t0 + seconds(1)), kVga);
}

}  // namespace
}  // namespace peercall
