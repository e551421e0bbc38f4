#pragma once
// A writable tight I420 picture. Decoders, scalers and test generators fill it,
// then freeze it into a VideoFrame, whose buffer is immutable and shared.
#include <array>
#include <cstdint>
#include <memory>
#include <vector>

#include "media/frames.hpp"

namespace peercall {

class I420Buffer {
 public:
  // width and height must be positive and even (the VideoFrame invariant).
  I420Buffer(int width, int height)
      : width_(width),
        height_(height),
        data_(std::make_shared<std::vector<uint8_t>>(VideoFrame::buffer_size(width, height))) {}

  int width() const { return width_; }
  int height() const { return height_; }
  uint8_t* y() { return data_->data(); }
  uint8_t* u() { return y() + size_t(width_) * height_; }
  uint8_t* v() { return u() + size_t(width_ / 2) * (height_ / 2); }
  int stride_y() const { return width_; }
  int stride_uv() const { return width_ / 2; }
  // In the {Y, U, V} order that swscale and AVFrame use.
  std::array<uint8_t*, 3> planes() { return {y(), u(), v()}; }
  std::array<int, 3> strides() const { return {stride_y(), stride_uv(), stride_uv()}; }

  // Hands the pixels over; the buffer is left empty and must not be used again.
  VideoFrame freeze(Instant capture_time, uint64_t index) && {
    VideoFrame frame;
    frame.width = width_;
    frame.height = height_;
    frame.i420 = std::move(data_);
    frame.capture_time = capture_time;
    frame.index = index;
    return frame;
  }

 private:
  int width_;
  int height_;
  std::shared_ptr<std::vector<uint8_t>> data_;
};

// A VideoFrame's buffer can be trusted to hold a whole picture of its size.
inline bool is_complete_i420(const VideoFrame& f) {
  return !f.empty() && f.width % 2 == 0 && f.height % 2 == 0 &&
         f.i420->size() >= VideoFrame::buffer_size(f.width, f.height);
}

}  // namespace peercall
