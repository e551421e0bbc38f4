#pragma once
// Deterministic test pictures (a moving gradient with a little noise, like a
// camera panning over a smooth scene) and the PSNR used to judge codecs.
#include <cmath>
#include <cstdint>

#include "media/codec/i420_buffer.hpp"
#include "media/frames.hpp"

namespace peercall::test {

inline VideoFrame make_test_frame(int width, int height, uint64_t n) {
  I420Buffer buf(width, height);
  uint32_t seed = 0x9e3779b9u * uint32_t(n + 1);
  auto noise = [&seed] {  // LCG: identical on every run and machine
    seed = seed * 1664525u + 1013904223u;
    return int(seed >> 29) - 4;  // -4..3
  };
  const int shift = int(n) * 3;
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x) {
      const int base = 40 + ((x + shift) % width) * 120 / width + y * 60 / height;
      const int box = ((x + shift / 2) / 40 + y / 40) % 2 ? 20 : 0;  // edges for motion search
      buf.y()[y * buf.stride_y() + x] = uint8_t(base + box + noise());
    }
  for (int y = 0; y < height / 2; ++y)
    for (int x = 0; x < width / 2; ++x) {
      buf.u()[y * buf.stride_uv() + x] = uint8_t(100 + (x * 2 + shift) % width * 40 / width);
      buf.v()[y * buf.stride_uv() + x] = uint8_t(150 - y * 2 * 30 / height);
    }
  const Instant t = instant_from_micros(1'000'000'000 + int64_t(n) * 33'333);
  return std::move(buf).freeze(t, n);
}

inline double psnr_y(const VideoFrame& a, const VideoFrame& b) {
  const size_t n = size_t(a.width) * a.height;
  double sse = 0;
  for (size_t i = 0; i < n; ++i) {
    const double d = double(a.y()[i]) - double(b.y()[i]);
    sse += d * d;
  }
  if (sse == 0) return 99.0;
  return 10.0 * std::log10(255.0 * 255.0 * double(n) / sse);
}

inline double mean(const uint8_t* p, size_t n) {
  double sum = 0;
  for (size_t i = 0; i < n; ++i) sum += p[i];
  return sum / double(n);
}

}  // namespace peercall::test
