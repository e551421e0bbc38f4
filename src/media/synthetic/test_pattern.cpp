#include "media/synthetic/test_pattern.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>
#include <numbers>

#include "media/synthetic/bitmap_font.hpp"
#include "media/synthetic/frame_stamp.hpp"

namespace peercall {
namespace {

constexpr uint8_t kNeutral = 128;
constexpr uint8_t kBlack = 16;
constexpr uint8_t kWhite = 235;

uint8_t clamp_luma(int v) { return static_cast<uint8_t>(std::clamp(v, 16, 235)); }
uint8_t clamp_chroma(int v) { return static_cast<uint8_t>(std::clamp(v, 16, 240)); }

// Cheap deterministic per-pixel noise (fixed texture grain).
uint32_t hash2(uint32_t x, uint32_t y) {
  uint32_t h = x * 0x9E3779B1u ^ (y + 0x7F4A7C15u) * 0x85EBCA77u;
  h ^= h >> 15;
  h *= 0x2C1B3C6Du;
  h ^= h >> 12;
  return h;
}

// Position bouncing between 0 and length at `speed` units per second.
double bounce(double t, double speed, double length) {
  if (length <= 0) return 0;
  double p = std::fmod(t * speed, 2 * length);
  return p > length ? 2 * length - p : p;
}

// 75% colour bars (BT.601 U, V): white yellow cyan green magenta red blue black.
constexpr uint8_t kBarU[8] = {128, 44, 156, 72, 184, 100, 212, 128};
constexpr uint8_t kBarV[8] = {128, 142, 44, 58, 198, 212, 114, 128};

}  // namespace

TestPatternRenderer::TestPatternRenderer(int width, int height)
    : width_(width), height_(height), valid_(width > 0 && height > 0 && width % 2 == 0 && height % 2 == 0) {
  if (!valid_) return;
  const int w = width_, h = height_, cw = w / 2, ch = h / 2;
  const int cell = std::max(4, w / 40);
  tex_y_.resize(size_t(2) * w * h);
  for (int y = 0; y < h; ++y) {
    uint8_t* row = tex_y_.data() + size_t(y) * 2 * w;
    for (int x = 0; x < w; ++x) {
      int gradient = 40 + 120 * (x + y) / (w + h);
      int checker = ((x / cell + y / cell) & 1) ? 28 : 0;
      int stripes = static_cast<int>(14 * std::sin(2 * std::numbers::pi * (x - 2 * y) / (cell * 1.7)));
      int grain = static_cast<int>(hash2(uint32_t(x), uint32_t(y)) & 7) - 4;  // a good webcam's noise
      row[x] = clamp_luma(gradient + checker + stripes + grain);
    }
    std::memcpy(row + w, row, size_t(w));
  }
  tex_u_.resize(size_t(2) * cw * ch);
  tex_v_.resize(size_t(2) * cw * ch);
  for (int y = 0; y < ch; ++y) {
    uint8_t* urow = tex_u_.data() + size_t(y) * 2 * cw;
    uint8_t* vrow = tex_v_.data() + size_t(y) * 2 * cw;
    double saturation = 0.4 + 0.6 * y / std::max(1, ch - 1);
    for (int x = 0; x < cw; ++x) {
      int bar = x * 8 / cw;
      urow[x] = clamp_chroma(kNeutral + static_cast<int>((kBarU[bar] - kNeutral) * saturation));
      vrow[x] = clamp_chroma(kNeutral + static_cast<int>((kBarV[bar] - kNeutral) * saturation));
    }
    std::memcpy(urow + cw, urow, size_t(cw));
    std::memcpy(vrow + cw, vrow, size_t(cw));
  }
}

VideoFrame TestPatternRenderer::render(uint64_t index, int fps, Instant capture_time) const {
  if (!valid_) return {};
  const int w = width_, h = height_, cw = w / 2, ch = h / 2;
  const double t = static_cast<double>(index) / std::max(1, fps);
  auto buffer = std::make_shared<std::vector<uint8_t>>(VideoFrame::buffer_size(w, h));
  uint8_t* y = buffer->data();
  uint8_t* u = y + size_t(w) * h;
  uint8_t* v = u + size_t(cw) * ch;

  // Background: the texture scrolls w/8 per second; even offsets keep luma
  // and chroma aligned. The bottom half moves the other way.
  const int shift = (static_cast<int>(std::fmod(t * w / 8.0, w)) / 2) * 2 % w;
  const int band = stamp_band_height(w, h);
  const int split = (h / 4) * 2;
  for (int row = 0; row < h; ++row) {
    int off = row < split ? shift : (w - shift) % w;
    std::memcpy(y + size_t(row) * w, tex_y_.data() + size_t(row) * 2 * w + off, size_t(w));
  }
  for (int row = 0; row < ch; ++row) {
    int off = (row * 2 < split ? shift : (w - shift) % w) / 2;
    std::memcpy(u + size_t(row) * cw, tex_u_.data() + size_t(row) * 2 * cw + off, size_t(cw));
    std::memcpy(v + size_t(row) * cw, tex_v_.data() + size_t(row) * 2 * cw + off, size_t(cw));
  }

  draw_disc(y, u, v, t, band);
  draw_clock(y, u, v, index, capture_time, band);

  // The stamp band: pure black and white blocks over neutral chroma.
  if (band > 0) {
    int chroma_rows = std::min(ch, (band + 1) / 2);
    std::memset(u, kNeutral, size_t(cw) * chroma_rows);
    std::memset(v, kNeutral, size_t(cw) * chroma_rows);
    write_stamp(y, w, w, h, FrameStamp{static_cast<uint32_t>(index), to_micros(capture_time)});
  }

  return VideoFrame{w, h, std::move(buffer), capture_time, index};
}

void TestPatternRenderer::draw_disc(uint8_t* y, uint8_t* u, uint8_t* v, double t, int top) const {
  const int w = width_, h = height_, cw = w / 2;
  const int r = std::max(2, h / 8);
  const double cx = r + bounce(t, w / 3.0, w - 2.0 * r);
  const double cy = top + r + bounce(t, h / 2.5, h - top - 2.0 * r);
  const double ring = std::max(2.0, r / 5.0);
  const int y0 = std::max(top, static_cast<int>(cy - r)), y1 = std::min(h - 1, static_cast<int>(cy + r));
  for (int py = y0; py <= y1; ++py) {
    double dy = py + 0.5 - cy;
    double half = std::sqrt(std::max(0.0, double(r) * r - dy * dy));
    int x0 = std::max(0, static_cast<int>(cx - half)), x1 = std::min(w - 1, static_cast<int>(cx + half));
    uint8_t* row = y + size_t(py) * w;
    for (int px = x0; px <= x1; ++px) {
      double d = std::hypot(px + 0.5 - cx, dy);
      row[px] = static_cast<int>(d / ring) & 1 ? 150 : 215;
    }
    if (py % 2 == 0) {  // one chroma row per two luma rows
      size_t crow = size_t(py / 2) * cw;
      std::memset(u + crow + x0 / 2, 80, size_t(x1 / 2 - x0 / 2 + 1));
      std::memset(v + crow + x0 / 2, 180, size_t(x1 / 2 - x0 / 2 + 1));
    }
  }
}

void TestPatternRenderer::draw_clock(uint8_t* y, uint8_t* u, uint8_t* v, uint64_t index,
                                     Instant capture_time, int top) const {
  const int w = width_, h = height_, cw = w / 2;
  const int64_t us = to_micros(capture_time);
  const int64_t ms = (us / 1000) % (24LL * 3600 * 1000);
  char text[64];
  std::snprintf(text, sizeof text, "%02d:%02d:%02d.%03d #%llu", int(ms / 3600000), int(ms / 60000 % 60),
                int(ms / 1000 % 60), int(ms % 1000), static_cast<unsigned long long>(index));
  const int scale = std::max(1, h / 180);
  const int pad = 2 * scale;
  // A dark box with neutral chroma keeps the text readable over the scene.
  const int bx0 = pad, by0 = top + pad;
  const int bx1 = std::min(w, bx0 + text_width(text, scale) + 2 * pad) & ~1;
  const int by1 = std::min(h, by0 + kGlyphHeight * scale + 2 * pad) & ~1;
  for (int py = by0; py < by1; ++py) std::memset(y + size_t(py) * w + bx0, kBlack, size_t(std::max(0, bx1 - bx0)));
  for (int py = by0 / 2; py < by1 / 2; ++py) {
    std::memset(u + size_t(py) * cw + bx0 / 2, kNeutral, size_t(std::max(0, bx1 / 2 - bx0 / 2)));
    std::memset(v + size_t(py) * cw + bx0 / 2, kNeutral, size_t(std::max(0, bx1 / 2 - bx0 / 2)));
  }
  draw_text(text, bx0 + pad, by0 + pad, scale, [&](int px, int py) {
    if (px >= 0 && py >= 0 && px < w && py < h) y[size_t(py) * w + px] = kWhite;
  });
}

VideoFrame render_test_frame(int width, int height, uint64_t index, int fps, Instant capture_time) {
  thread_local std::unique_ptr<TestPatternRenderer> cached;
  if (!cached || cached->width() != width || cached->height() != height)
    cached = std::make_unique<TestPatternRenderer>(width, height);
  return cached->render(index, fps, capture_time);
}

TestPatternSource::TestPatternSource(int width, int height, int fps)
    : renderer_(width, height), fps_(fps), pacer_(fps) {
  if (!renderer_.valid()) error_ = "test pattern: size must be positive and even";
  else if (fps <= 0 || fps > 240) error_ = "test pattern: fps must be in 1..240";
}

std::optional<VideoFrame> TestPatternSource::read() {
  if (!error_.empty()) return std::nullopt;
  auto tick = pacer_.wait_next();
  if (!tick) return std::nullopt;
  return renderer_.render(tick->index, fps_, tick->time);
}

void TestPatternSource::interrupt() { pacer_.interrupt(); }

std::string TestPatternSource::describe() const {
  return "test pattern " + std::to_string(renderer_.width()) + "x" + std::to_string(renderer_.height()) +
         "@" + std::to_string(fps_);
}

}  // namespace peercall
