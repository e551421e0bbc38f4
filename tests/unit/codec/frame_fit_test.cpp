#include "media/codec/frame_fit.hpp"

#include <gtest/gtest.h>

#include "media/codec/video_scaler.hpp"
#include "test_video.hpp"

using namespace peercall;

TEST(FrameFit, EncoderSizeLimitsAreOneLine) {
  EXPECT_EQ(check_encode_size(1280, 720), "");
  EXPECT_EQ(check_encode_size(641, 481), "");  // rounded down to 640x480
  EXPECT_EQ(check_encode_size(16, 16), "");
  EXPECT_EQ(check_encode_size(4096, 2304), "");
  EXPECT_EQ(check_encode_size(0, 0), "width and height must be 16-4096 x 16-2304");
  EXPECT_NE(check_encode_size(15, 100), "");
  EXPECT_EQ(check_encode_size(17, 100), "");  // 16 after rounding: fine
  EXPECT_NE(check_encode_size(4098, 720), "");
  EXPECT_NE(check_encode_size(1280, 2306), "");
  EXPECT_NE(check_encode_size(-640, 480), "");
}

TEST(FrameFit, EncodeSizeKeepsTheSourceOrTheRequest) {
  EXPECT_EQ(encode_size({640, 480}, std::nullopt), (PictureSize{640, 480}));
  EXPECT_EQ(encode_size({360, 640}, std::nullopt), (PictureSize{360, 640}));
  EXPECT_EQ(encode_size({641, 481}, std::nullopt), (PictureSize{640, 480}));
  EXPECT_EQ(encode_size({640, 480}, PictureSize{1280, 720}), (PictureSize{1280, 720}));
  EXPECT_EQ(encode_size({640, 480}, PictureSize{641, 481}), (PictureSize{640, 480}));
  // Too big for the encoder: shrunk keeping the aspect.
  EXPECT_EQ(encode_size({7680, 4320}, std::nullopt), (PictureSize{4096, 2304}));
  EXPECT_EQ(encode_size({2160, 3840}, std::nullopt), (PictureSize{1296, 2304}));
  EXPECT_EQ(encode_size({8, 8}, std::nullopt), (PictureSize{16, 16}));
}

TEST(FrameFit, FitInsideLetterboxesAndPillarboxes) {
  EXPECT_EQ(fit_inside({1280, 720}, {1280, 720}), (FitRect{0, 0, 1280, 720}));
  EXPECT_EQ(fit_inside({640, 360}, {1280, 720}), (FitRect{0, 0, 1280, 720}));
  // 4:3 into 16:9: bars left and right.
  EXPECT_EQ(fit_inside({640, 480}, {1280, 720}), (FitRect{160, 0, 960, 720}));
  // Portrait into landscape.
  EXPECT_EQ(fit_inside({360, 640}, {1280, 720}), (FitRect{436, 0, 406, 720}));
  // 16:9 into 4:3: bars top and bottom.
  EXPECT_EQ(fit_inside({1280, 720}, {640, 480}), (FitRect{0, 60, 640, 360}));
  // Everything even, inside the outer picture.
  for (auto [iw, ih, ow, oh] : {std::tuple{641, 481, 320, 240}, std::tuple{333, 777, 1280, 720},
                                 std::tuple{1920, 1080, 362, 202}, std::tuple{2, 1000, 100, 100}}) {
    const FitRect r = fit_inside({iw, ih}, {ow, oh});
    EXPECT_EQ(r.x % 2 + r.y % 2 + r.width % 2 + r.height % 2, 0) << iw << "x" << ih;
    EXPECT_GT(r.width, 0);
    EXPECT_GT(r.height, 0);
    EXPECT_LE(r.x + r.width, ow);
    EXPECT_LE(r.y + r.height, oh);
  }
  EXPECT_EQ(fit_inside({0, 0}, {1280, 720}), FitRect{});
}

TEST(FrameFit, ScalerFitDrawsBlackBorders) {
  VideoScaler scaler;
  const VideoFrame src = test::make_test_frame(640, 480, 3);  // 4:3
  const VideoFrame out = scaler.fit(src, 1280, 720);
  ASSERT_FALSE(out.empty());
  EXPECT_EQ(out.width, 1280);
  EXPECT_EQ(out.height, 720);
  EXPECT_EQ(out.capture_time, src.capture_time);
  // Columns [0,160) and [1120,1280) are black; the middle is the picture.
  for (int y : {0, 360, 719}) {
    for (int x : {0, 159, 1120, 1279}) EXPECT_EQ(out.y()[size_t(y) * 1280 + x], 16) << x << "," << y;
    for (int x : {0, 79, 560, 639}) {
      EXPECT_EQ(out.u()[size_t(y / 2) * 640 + x], 128);
      EXPECT_EQ(out.v()[size_t(y / 2) * 640 + x], 128);
    }
  }
  double inside = 0;
  for (int y = 0; y < 720; ++y)
    for (int x = 160; x < 1120; ++x) inside += out.y()[size_t(y) * 1280 + x];
  EXPECT_NEAR(inside / (960.0 * 720), test::mean(src.y(), 640 * 480), 2.0);
  // Same aspect: a plain scale, no borders.
  const VideoFrame same = scaler.fit(test::make_test_frame(640, 360, 1), 1280, 720);
  EXPECT_NE(same.y()[0], 16);
  // A portrait picture gets pillars.
  const VideoFrame portrait = scaler.fit(test::make_test_frame(360, 640, 1), 640, 360);
  ASSERT_FALSE(portrait.empty());
  EXPECT_EQ(portrait.y()[0], 16);
  EXPECT_EQ(portrait.y()[639], 16);
}
