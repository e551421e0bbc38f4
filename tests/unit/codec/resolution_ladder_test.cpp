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

}  // namespace
}  // namespace peercall
