#include "media/synthetic/test_pattern.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>
#include <vector>

#include "media/synthetic/frame_stamp.hpp"

namespace peercall {
namespace {

size_t differing_bytes(const VideoFrame& a, const VideoFrame& b) {
  size_t n = 0;
  for (size_t i = 0; i < a.i420->size(); ++i) n += (*a.i420)[i] != (*b.i420)[i];
  return n;
}

TEST(TestPattern, FramesAreWellFormedDeterministicAndStamped) {
  for (auto [w, h] : {std::pair{1280, 720}, std::pair{640, 360}, std::pair{320, 180}}) {
    const Instant t = instant_from_micros(42'000'000'123);
    VideoFrame a = render_test_frame(w, h, 17, 30, t);
    ASSERT_FALSE(a.empty());
    EXPECT_EQ(a.width, w);
    EXPECT_EQ(a.height, h);
    EXPECT_EQ(a.index, 17u);
    EXPECT_EQ(a.capture_time, t);
    ASSERT_EQ(a.i420->size(), VideoFrame::buffer_size(w, h));
    // Same arguments, fresh renderer: identical picture.
    VideoFrame b = TestPatternRenderer(w, h).render(17, 30, t);
    EXPECT_EQ(*a.i420, *b.i420);
    auto s = read_stamp(a.y(), w, w, h, to_micros(t));
    ASSERT_TRUE(s);
    EXPECT_EQ(s->frame_number, 17u);
    EXPECT_EQ(s->capture_time_us, to_micros(t));
    // Chroma under the band is neutral so the blocks stay black and white.
    const int band_chroma_rows = stamp_band_height(w, h) / 2;
    for (int y = 0; y < band_chroma_rows; ++y)
      for (int x = 0; x < w / 2; ++x) {
        ASSERT_EQ(a.u()[size_t(y) * (w / 2) + x], 128);
        ASSERT_EQ(a.v()[size_t(y) * (w / 2) + x], 128);
      }
  }
}

TEST(TestPattern, ConsecutiveFramesMoveAcrossThePicture) {
  const int w = 640, h = 360;
  const Instant t = instant_from_micros(1'000'000);
  VideoFrame prev = render_test_frame(w, h, 0, 30, t);
  for (uint64_t i = 1; i < 5; ++i) {
    VideoFrame cur = render_test_frame(w, h, i, 30, t);  // same clock text: only motion differs
    // Most of the picture changes (scrolling texture), like a camera pan.
    EXPECT_GT(differing_bytes(prev, cur), prev.i420->size() / 2) << i;
    prev = cur;
  }
  // The picture is textured: many distinct luma values in one row below the band.
  VideoFrame f = render_test_frame(w, h, 0, 30, t);
  const uint8_t* row = f.y() + size_t(h * 3 / 4) * w;
  int seen[256] = {};
  int distinct = 0;
  for (int x = 0; x < w; ++x) distinct += seen[row[x]]++ == 0;
  EXPECT_GT(distinct, 60);
}

TEST(TestPattern, ClockTextFollowsTheCaptureTime) {
  const int w = 640, h = 360;
  VideoFrame a = render_test_frame(w, h, 5, 30, instant_from_micros(1'000'000));
  VideoFrame b = render_test_frame(w, h, 5, 30, instant_from_micros(1'001'000));  // +1 ms
  // Only the stamp band and the clock text differ: a small area.
  const size_t diff = differing_bytes(a, b);
  EXPECT_GT(diff, 0u);
  EXPECT_LT(diff, a.i420->size() / 10);
}

TEST(TestPattern, InvalidSizesGiveEmptyFrames) {
  EXPECT_TRUE(render_test_frame(641, 360, 0, 30, {}).empty());
  EXPECT_TRUE(render_test_frame(0, 0, 0, 30, {}).empty());
  EXPECT_FALSE(render_test_frame(64, 36, 0, 30, {}).empty());  // too small for a stamp, still a picture
  TestPatternSource bad(641, 360, 30);
  EXPECT_FALSE(bad.read());
  EXPECT_FALSE(bad.error().empty());
  TestPatternSource bad_fps(640, 360, 0);
  EXPECT_FALSE(bad_fps.read());
}

TEST(TestPatternSource, DeliversNumberedStampedFramesInOrder) {
  TestPatternSource source(320, 180, 60);
  EXPECT_EQ(source.describe(), "test pattern 320x180@60");
  EXPECT_TRUE(source.error().empty());
  Instant last{};
  for (uint64_t i = 0; i < 4; ++i) {
    auto f = source.read();
    ASSERT_TRUE(f);
    EXPECT_EQ(f->index, i);
    EXPECT_GE(f->capture_time, last);
    last = f->capture_time;
    auto s = read_stamp(f->y(), 320, 320, 180, to_micros(Clock::now()));
    ASSERT_TRUE(s);
    EXPECT_EQ(s->frame_number, i);
    EXPECT_EQ(s->capture_time_us, to_micros(f->capture_time));
  }
}

TEST(TestPatternSource, StampsFollowTheScheduleNotTheWakeUps) {
  // A wake-up is late by the timer slack at least (~50 us), and by far more on
  // a loaded machine; the stamps must not carry that jitter to the receiver,
  // which measures the rate from them.
  TestPatternSource source(64, 36, 30);
  std::vector<Instant> t;
  for (int i = 0; i < 6; ++i) {
    auto f = source.read();
    ASSERT_TRUE(f);
    t.push_back(f->capture_time);
  }
  for (size_t i = 1; i < t.size(); ++i) {
    const auto expected = std::chrono::duration_cast<Duration>(std::chrono::duration<double>(double(i) / 30));
    EXPECT_LE(std::chrono::abs(t[i] - t[0] - expected), microseconds(1)) << "frame " << i;
  }
}

TEST(TestPatternSource, InterruptWakesABlockedRead) {
  TestPatternSource source(320, 180, 1);  // the second frame is due a second later
  ASSERT_TRUE(source.read());
  std::thread stopper([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    source.interrupt();
  });
  EXPECT_FALSE(source.read());  // without the interrupt this would be a frame
  stopper.join();
  EXPECT_FALSE(source.read());  // stays interrupted
}

}  // namespace
}  // namespace peercall
