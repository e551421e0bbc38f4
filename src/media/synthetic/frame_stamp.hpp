#pragma once
// The frame stamp: a band of big black/white blocks across the top of a
// picture carrying the frame number and the capture time, so the receiver can
// measure glass-to-glass latency per frame (sender and receiver on one machine
// share CLOCK_MONOTONIC) and spot lost or repeated frames.
//
// Layout: 96 bits = 16-bit sync pattern + 24-bit frame number + 40-bit
// capture time (microseconds mod 2^40, about 12.7 days) + CRC-16/CCITT of the
// 8 payload bytes, MSB first, as 3 rows of 32 blocks. Block i of row r covers
// x in [i*W/32, (i+1)*W/32) and y in [r*H/18, (r+1)*H/18), i.e. the geometry is
// a fixed fraction of the picture (square blocks at 16:9) so that a stamp
// written at one size still reads after scaling to another. (A block size
// rounded to whole macroblocks would read at the wrong positions once scaled.)
// Luma is 16 for 0 and 235 for 1. The reader averages the inner half of each
// block and thresholds at the midpoint of the sync pattern's own 0 and 1
// levels, which survives coarse H.264 quantisation, blur and level shifts.
#include <cstdint>
#include <optional>

namespace peercall {

struct FrameStamp {
  uint32_t frame_number = 0;    // only the low 24 bits travel
  int64_t capture_time_us = 0;  // to_micros(Instant) of the capture (monotonic)
};

inline constexpr int kStampMinWidth = 128;  // blocks of at least 4x4 pixels
inline constexpr int kStampMinHeight = 72;

// Rows of the picture the band covers (0 if the picture is too small).
int stamp_band_height(int width, int height);

// Writes the band into the luma plane (rows [0, stamp_band_height)). Chroma is
// the caller's business: keep it neutral (128) under the band so the blocks
// stay pure black and white after colour conversion. Does nothing if the
// picture is smaller than kStampMinWidth x kStampMinHeight.
void write_stamp(uint8_t* y_plane, int stride, int width, int height, const FrameStamp& s);

// Reads a stamp; nullopt if there is none or it is damaged (low contrast,
// wrong sync pattern or CRC mismatch). capture_time_us holds only the 40 bits
// that travel: pass it through unwrap_capture_time_us(), or use the overload
// below that takes the reader's current time.
std::optional<FrameStamp> read_stamp(const uint8_t* y_plane, int stride, int width, int height);

// As above, with capture_time_us reconstructed in full on the assumption that
// the capture happened within ~6 days of now_us (to_micros(Clock::now())).
std::optional<FrameStamp> read_stamp(const uint8_t* y_plane, int stride, int width, int height,
                                     int64_t now_us);

// The time congruent to low40 modulo 2^40 that is nearest to now_us.
int64_t unwrap_capture_time_us(uint64_t low40, int64_t now_us);

}  // namespace peercall
