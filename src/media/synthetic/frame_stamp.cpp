#include "media/synthetic/frame_stamp.hpp"

#include <array>
#include <cstring>

namespace peercall {
namespace {

constexpr int kColumns = 32;
constexpr int kRows = 3;
constexpr int kRowsPerHeight = 18;  // block height = H/18 (square at 16:9)
constexpr int kBits = kColumns * kRows;
constexpr uint16_t kSync = 0xB38C;  // 8 ones, 8 zeros, no short period
constexpr uint8_t kBlack = 16;
constexpr uint8_t kWhite = 235;
constexpr int kMinContrast = 64;  // of the 219 written; less means no stamp
constexpr int kPayloadBytes = 8;  // 3 frame number + 5 capture time
constexpr uint64_t kTimeMask = (uint64_t(1) << 40) - 1;

using Bits = std::array<bool, kBits>;

uint16_t crc16_ccitt(const uint8_t* data, int n) {
  uint16_t crc = 0xFFFF;
  for (int i = 0; i < n; ++i) {
    crc = static_cast<uint16_t>(crc ^ (data[i] << 8));
    for (int b = 0; b < 8; ++b)
      crc = static_cast<uint16_t>(crc & 0x8000 ? (crc << 1) ^ 0x1021 : crc << 1);
  }
  return crc;
}

std::array<uint8_t, kPayloadBytes> payload(uint32_t frame_number, uint64_t time40) {
  std::array<uint8_t, kPayloadBytes> p{};
  for (int i = 0; i < 3; ++i) p[i] = uint8_t(frame_number >> (8 * (2 - i)));
  for (int i = 0; i < 5; ++i) p[3 + i] = uint8_t(time40 >> (8 * (4 - i)));
  return p;
}

// Appends the low `count` bits of value, MSB first.
void put_bits(Bits& bits, int& at, uint64_t value, int count) {
  for (int i = count - 1; i >= 0; --i) bits[at++] = (value >> i) & 1;
}

uint64_t get_bits(const Bits& bits, int& at, int count) {
  uint64_t v = 0;
  for (int i = 0; i < count; ++i) v = v << 1 | uint64_t(bits[at++]);
  return v;
}

bool fits(int width, int height) { return width >= kStampMinWidth && height >= kStampMinHeight; }

// Start of block column i (i in [0, kColumns]) or block row r (r in [0, kRows]).
int column_x(int i, int width) { return static_cast<int>(int64_t(i) * width / kColumns); }
int row_y(int r, int height) { return static_cast<int>(int64_t(r) * height / kRowsPerHeight); }

// The inner half [1/4, 3/4) of a block, as pixel indices (quarter positions
// rounded inwards) along one axis with `parts` blocks across `size` pixels.
struct Span {
  int lo, hi;
};
Span inner(int index, int size, int parts) {
  int64_t denom = int64_t(parts) * 4;
  int lo = static_cast<int>(((4 * int64_t(index) + 1) * size + denom - 1) / denom);
  int hi = static_cast<int>((4 * int64_t(index) + 3) * size / denom);
  return {lo, hi > lo ? hi : lo + 1};
}

}  // namespace

int stamp_band_height(int width, int height) {
  return fits(width, height) ? row_y(kRows, height) : 0;
}

void write_stamp(uint8_t* y_plane, int stride, int width, int height, const FrameStamp& s) {
  if (!y_plane || stride < width || !fits(width, height)) return;
  const uint32_t frame = s.frame_number & 0xFFFFFF;
  const uint64_t time40 = static_cast<uint64_t>(s.capture_time_us) & kTimeMask;
  auto p = payload(frame, time40);
  Bits bits{};
  int at = 0;
  put_bits(bits, at, kSync, 16);
  put_bits(bits, at, frame, 24);
  put_bits(bits, at, time40, 40);
  put_bits(bits, at, crc16_ccitt(p.data(), kPayloadBytes), 16);

  for (int r = 0; r < kRows; ++r) {
    // Build one pixel row of this block row, then copy it down the block.
    uint8_t* first = y_plane + size_t(row_y(r, height)) * stride;
    for (int i = 0; i < kColumns; ++i) {
      int x0 = column_x(i, width), x1 = column_x(i + 1, width);
      std::memset(first + x0, bits[r * kColumns + i] ? kWhite : kBlack, size_t(x1 - x0));
    }
    for (int y = row_y(r, height) + 1; y < row_y(r + 1, height); ++y)
      std::memcpy(y_plane + size_t(y) * stride, first, size_t(width));
  }
}

std::optional<FrameStamp> read_stamp(const uint8_t* y_plane, int stride, int width, int height) {
  if (!y_plane || stride < width || !fits(width, height)) return std::nullopt;

  std::array<int, kBits> level{};  // mean luma of each block's inner half
  for (int r = 0; r < kRows; ++r) {
    Span ys = inner(r, height, kRowsPerHeight);
    for (int i = 0; i < kColumns; ++i) {
      Span xs = inner(i, width, kColumns);
      int64_t sum = 0;
      for (int y = ys.lo; y < ys.hi; ++y) {
        const uint8_t* row = y_plane + size_t(y) * stride;
        for (int x = xs.lo; x < xs.hi; ++x) sum += row[x];
      }
      level[r * kColumns + i] = static_cast<int>(sum / (int64_t(ys.hi - ys.lo) * (xs.hi - xs.lo)));
    }
  }

  // Calibrate black and white on the sync pattern's known blocks.
  int64_t ones = 0, zeros = 0;
  for (int i = 0; i < 16; ++i) ((kSync >> (15 - i)) & 1 ? ones : zeros) += level[i];
  const int white = static_cast<int>(ones / 8), black = static_cast<int>(zeros / 8);
  if (white - black < kMinContrast) return std::nullopt;
  const int threshold = (white + black) / 2;

  Bits bits{};
  for (int i = 0; i < kBits; ++i) bits[i] = level[i] > threshold;
  int at = 0;
  if (get_bits(bits, at, 16) != kSync) return std::nullopt;
  const auto frame = static_cast<uint32_t>(get_bits(bits, at, 24));
  const uint64_t time40 = get_bits(bits, at, 40);
  const auto crc = static_cast<uint16_t>(get_bits(bits, at, 16));
  auto p = payload(frame, time40);
  if (crc16_ccitt(p.data(), kPayloadBytes) != crc) return std::nullopt;
  return FrameStamp{frame, static_cast<int64_t>(time40)};
}

std::optional<FrameStamp> read_stamp(const uint8_t* y_plane, int stride, int width, int height,
                                     int64_t now_us) {
  auto s = read_stamp(y_plane, stride, width, height);
  if (s) s->capture_time_us = unwrap_capture_time_us(static_cast<uint64_t>(s->capture_time_us), now_us);
  return s;
}

int64_t unwrap_capture_time_us(uint64_t low40, int64_t now_us) {
  constexpr int64_t kSpan = int64_t(1) << 40;
  const int64_t low = static_cast<int64_t>(low40 & kTimeMask);
  // Candidate in now's 2^40 window (floor division keeps negatives right),
  // then step one window either way if that is closer.
  int64_t base = now_us >= 0 ? now_us / kSpan : -((-now_us + kSpan - 1) / kSpan);
  int64_t t = base * kSpan + low;
  if (t - now_us > kSpan / 2) t -= kSpan;
  else if (now_us - t > kSpan / 2) t += kSpan;
  return t;
}

}  // namespace peercall
