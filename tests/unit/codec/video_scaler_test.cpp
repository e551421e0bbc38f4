#include <gtest/gtest.h>

#include <algorithm>

#include "media/codec/video_scaler.hpp"
#include "test_video.hpp"

using namespace peercall;
using peercall::test::make_test_frame;
using peercall::test::mean;

namespace {

void expect_plane_means_close(const VideoFrame& a, const VideoFrame& b) {
  const size_t ay = size_t(a.width) * a.height, by = size_t(b.width) * b.height;
  EXPECT_NEAR(mean(a.y(), ay), mean(b.y(), by), 2.0);
  EXPECT_NEAR(mean(a.u(), ay / 4), mean(b.u(), by / 4), 2.0);
  EXPECT_NEAR(mean(a.v(), ay / 4), mean(b.v(), by / 4), 2.0);
}

}  // namespace

TEST(VideoScaler, DownAndUpKeepSizeAndContent) {
  VideoScaler scaler;
  const VideoFrame src = make_test_frame(640, 360, 7);
  for (auto [w, h] : {std::pair{320, 180}, std::pair{160, 90}, std::pair{1280, 720},
                      std::pair{250, 142}}) {
    const VideoFrame out = scaler.scale(src, w, h);
    ASSERT_FALSE(out.empty());
    EXPECT_EQ(out.width, w);
    EXPECT_EQ(out.height, h);
    EXPECT_EQ(out.i420->size(), VideoFrame::buffer_size(w, h));
    EXPECT_EQ(out.capture_time, src.capture_time);
    EXPECT_EQ(out.index, src.index);
    expect_plane_means_close(src, out);
  }
  EXPECT_EQ(scaler.cached_contexts(), 4u);
  ASSERT_FALSE(scaler.scale(src, 320, 180).empty());
  EXPECT_EQ(scaler.cached_contexts(), 4u);  // reused
}

TEST(VideoScaler, ContentIsNotJustTheMean) {
  // Left half dark, right half bright: the halves must survive scaling.
  I420Buffer buf(640, 360);
  for (int y = 0; y < 360; ++y)
    for (int x = 0; x < 640; ++x) buf.y()[y * 640 + x] = x < 320 ? 30 : 220;
  std::fill(buf.u(), buf.u() + 320 * 180 * 2, uint8_t(128));
  const VideoFrame src = std::move(buf).freeze({}, 0);
  VideoScaler scaler;
  const VideoFrame out = scaler.scale(src, 320, 180);
  ASSERT_FALSE(out.empty());
  EXPECT_NEAR(out.y()[90 * 320 + 40], 30, 2);
  EXPECT_NEAR(out.y()[90 * 320 + 280], 220, 2);
}

TEST(VideoScaler, SameSizeSharesBuffer) {
  VideoScaler scaler;
  const VideoFrame src = make_test_frame(320, 180, 0);
  const VideoFrame out = scaler.scale(src, 320, 180);
  EXPECT_EQ(out.i420, src.i420);
  EXPECT_EQ(scaler.cached_contexts(), 0u);
}

TEST(VideoScaler, BadInputGivesEmptyFrame) {
  VideoScaler scaler;
  const VideoFrame src = make_test_frame(320, 180, 0);
  EXPECT_TRUE(scaler.scale(src, 0, 180).empty());
  EXPECT_TRUE(scaler.scale(src, 321, 180).empty());
  EXPECT_TRUE(scaler.scale(src, 100000, 180).empty());
  EXPECT_TRUE(scaler.scale(VideoFrame{}, 160, 90).empty());
  VideoFrame truncated = src;
  truncated.i420 = std::make_shared<const std::vector<uint8_t>>(100);
  EXPECT_TRUE(scaler.scale(truncated, 160, 90).empty());
}
