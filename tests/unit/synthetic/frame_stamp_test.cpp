#include "media/synthetic/frame_stamp.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

#include "ffmpeg_test_util.hpp"
#include "media/synthetic/test_pattern.hpp"

namespace peercall {
namespace {

constexpr int64_t kTwo40 = int64_t(1) << 40;

struct Size {
  int w, h;
};

// A textured luma plane (not flat grey) so the reader sees a real background.
std::vector<uint8_t> noisy_plane(int stride, int h, std::mt19937& rng) {
  std::vector<uint8_t> plane(size_t(stride) * h);
  std::uniform_int_distribution<int> px(16, 235);
  for (auto& p : plane) p = static_cast<uint8_t>(px(rng));
  return plane;
}

TEST(FrameStamp, RoundTripsRandomValuesAtSeveralSizesAndStrides) {
  std::mt19937 rng(1234);
  std::uniform_int_distribution<uint32_t> frame24(0, 0xFFFFFF);
  std::uniform_int_distribution<int64_t> time40(0, kTwo40 - 1);
  for (Size s : {Size{320, 180}, Size{640, 360}, Size{1280, 720}, Size{854, 480}, Size{1920, 1080},
                 Size{640, 480}, Size{128, 72}}) {
    for (int stride : {s.w, s.w + 64}) {
      auto plane = noisy_plane(stride, s.h, rng);  // each write replaces the whole band
      for (int trial = 0; trial < 20; ++trial) {
        FrameStamp in{frame24(rng), time40(rng)};
        write_stamp(plane.data(), stride, s.w, s.h, in);
        auto out = read_stamp(plane.data(), stride, s.w, s.h);
        ASSERT_TRUE(out) << s.w << "x" << s.h << " stride " << stride;
        EXPECT_EQ(out->frame_number, in.frame_number);
        EXPECT_EQ(out->capture_time_us, in.capture_time_us);
      }
    }
  }
}

TEST(FrameStamp, WritesOnlyTheBandAndKeepsLow24And40Bits) {
  const int w = 640, h = 360;
  std::vector<uint8_t> plane(size_t(w) * h, 77);
  write_stamp(plane.data(), w, w, h, FrameStamp{0x12345678, (int64_t(5) << 40) + 999});
  const int band = stamp_band_height(w, h);
  EXPECT_EQ(band, 60);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      uint8_t p = plane[size_t(y) * w + x];
      if (y < band) EXPECT_TRUE(p == 16 || p == 235) << x << "," << y;
      else ASSERT_EQ(p, 77) << x << "," << y;
    }
  auto out = read_stamp(plane.data(), w, w, h);
  ASSERT_TRUE(out);
  EXPECT_EQ(out->frame_number, 0x345678u);
  EXPECT_EQ(out->capture_time_us, 999);
}

TEST(FrameStamp, NoStampInPicturesWithoutOne) {
  std::mt19937 rng(7);
  const int w = 640, h = 360;
  std::vector<uint8_t> grey(size_t(w) * h, 128);
  EXPECT_FALSE(read_stamp(grey.data(), w, w, h));
  for (int i = 0; i < 50; ++i) {
    auto plane = noisy_plane(w, h, rng);
    EXPECT_FALSE(read_stamp(plane.data(), w, w, h));
  }
  // A test pattern frame without its band (rows below it) has no stamp.
  VideoFrame f = render_test_frame(w, h, 3, 30, instant_from_micros(1));
  const int band = stamp_band_height(w, h);
  EXPECT_FALSE(read_stamp(f.y() + size_t(band) * w, w, w, h - band));
  // Too small to carry one, and bad arguments.
  std::vector<uint8_t> tiny(64 * 36, 16);
  write_stamp(tiny.data(), 64, 64, 36, FrameStamp{1, 2});
  EXPECT_FALSE(read_stamp(tiny.data(), 64, 64, 36));
  EXPECT_EQ(stamp_band_height(64, 36), 0);
  EXPECT_FALSE(read_stamp(nullptr, w, w, h));
  EXPECT_FALSE(read_stamp(grey.data(), w - 2, w, h));
}

TEST(FrameStamp, CorruptedBlocksAreDetected) {
  std::mt19937 rng(99);
  const int w = 640, h = 360;
  const int bw = w / 32, bh = h / 18;
  std::uniform_int_distribution<int> block(0, 95);
  std::uniform_int_distribution<int> flips(1, 3);
  for (int trial = 0; trial < 200; ++trial) {
    std::vector<uint8_t> plane(size_t(w) * h, 100);
    write_stamp(plane.data(), w, w, h, FrameStamp{uint32_t(trial * 7919), int64_t(trial) * 1'000'003});
    // Invert 1..3 distinct whole blocks: a CRC-16 catches any such error.
    std::vector<int> flipped;
    for (int n = flips(rng); int(flipped.size()) < n;) {
      int b = block(rng);
      if (std::find(flipped.begin(), flipped.end(), b) == flipped.end()) flipped.push_back(b);
    }
    for (int b : flipped) {
      const int x0 = (b % 32) * bw, y0 = (b / 32) * bh;
      for (int y = y0; y < y0 + bh; ++y)
        for (int x = x0; x < x0 + bw; ++x) plane[size_t(y) * w + x] = uint8_t(251 - plane[size_t(y) * w + x]);
    }
    EXPECT_FALSE(read_stamp(plane.data(), w, w, h)) << "trial " << trial;
  }
}

TEST(FrameStamp, SurvivesBilinearScalingBetweenSizes) {
  struct Case {
    Size from, to;
  };
  for (Case c : {Case{{1280, 720}, {640, 360}}, Case{{1280, 720}, {320, 180}}, Case{{640, 360}, {1280, 720}},
                 Case{{1280, 720}, {854, 480}}, Case{{640, 360}, {640, 480}}}) {
    for (uint64_t index : {0u, 1u, 77u, 12345u}) {
      const Instant t = instant_from_micros(int64_t(987'654'321'000) + int64_t(index) * 33'333);
      VideoFrame f = render_test_frame(c.from.w, c.from.h, index, 30, t);
      test::Picture scaled = test::rescale(f.y(), c.from.w, c.from.h, c.to.w, c.to.h);
      ASSERT_FALSE(scaled.i420.empty());
      auto s = read_stamp(scaled.y(), c.to.w, c.to.w, c.to.h, to_micros(t));
      ASSERT_TRUE(s) << c.from.w << "x" << c.from.h << " -> " << c.to.w << "x" << c.to.h << " frame " << index;
      EXPECT_EQ(s->frame_number, index);
      EXPECT_EQ(s->capture_time_us, to_micros(t));
    }
  }
}

class FrameStampH264 : public ::testing::TestWithParam<Size> {};

TEST_P(FrameStampH264, EveryStampReadsBackExactlyAt500kbps) {
  const auto [w, h] = GetParam();
  const int fps = 30, count = 30;
  const int64_t start_us = int64_t(3) * 24 * 3600 * 1'000'000 + 123'456;  // a few days of uptime
  std::vector<std::vector<uint8_t>> frames;
  for (int i = 0; i < count; ++i) {
    VideoFrame f = render_test_frame(w, h, uint64_t(i), fps, instant_from_micros(start_us + i * 33'333));
    frames.push_back(*f.i420);
  }
  test::RoundTrip rt = test::h264_round_trip(frames, w, h, fps, 500'000);
  ASSERT_EQ(rt.pictures.size(), size_t(count));
  // The bitstream is really constrained (~500 kbit/s for 1 s, generous slack
  // for the first keyframe), so the stamp has survived coarse quantisation.
  EXPECT_LT(rt.encoded_bytes, size_t(2 * 500'000 / 8));
  for (int i = 0; i < count; ++i) {
    const test::Picture& p = rt.pictures[size_t(i)];
    ASSERT_EQ(p.width, w);
    auto s = read_stamp(p.y(), w, w, h, start_us + i * 33'333 + 80'000);
    ASSERT_TRUE(s) << "frame " << i;
    EXPECT_EQ(s->frame_number, uint32_t(i));
    EXPECT_EQ(s->capture_time_us, start_us + i * 33'333);
  }
}

INSTANTIATE_TEST_SUITE_P(Sizes, FrameStampH264, ::testing::Values(Size{320, 180}, Size{640, 360}, Size{1280, 720}),
                         [](const auto& info) {
                           return std::to_string(info.param.w) + "x" + std::to_string(info.param.h);
                         });

TEST(FrameStamp, UnwrapsCaptureTimeNearNow) {
  const int64_t now = 5 * kTwo40 + 1000;
  EXPECT_EQ(unwrap_capture_time_us(uint64_t(now - 500) & (kTwo40 - 1), now), now - 500);
  EXPECT_EQ(unwrap_capture_time_us(uint64_t(now + 500) & (kTwo40 - 1), now), now + 500);
  // Across a wrap of the 40-bit counter, both ways.
  const int64_t wrap = 7 * kTwo40;
  EXPECT_EQ(unwrap_capture_time_us(uint64_t(wrap - 10) & (kTwo40 - 1), wrap + 20), wrap - 10);
  EXPECT_EQ(unwrap_capture_time_us(uint64_t(wrap + 10) & (kTwo40 - 1), wrap - 20), wrap + 10);
  EXPECT_EQ(unwrap_capture_time_us(123, 0), 123);
  EXPECT_EQ(unwrap_capture_time_us(uint64_t(kTwo40 - 5), 0), -5);
  EXPECT_EQ(unwrap_capture_time_us(uint64_t(-3 * 1000) & (kTwo40 - 1), -1000), -3000);
}

}  // namespace
}  // namespace peercall
