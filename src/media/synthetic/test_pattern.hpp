#pragma once
// The headless twin of a camera: a moving, textured scene with a readable
// clock and the machine-readable frame stamp (frame_stamp.hpp) on top.
//
// Scene: a precomputed texture (gradient, checker, fixed fine noise, colour
// bars in chroma) whose top half scrolls left and bottom half scrolls right, a
// bouncing ringed disc, the capture time as HH:MM:SS.mmm plus the frame number,
// and the stamp band (neutral chroma) across the top. Motion is a function of
// index/fps, so a frame is fully determined by its arguments, and the encoder
// gets real work (motion search, texture, moving edges) like from a camera.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/time.hpp"
#include "media/frames.hpp"
#include "media/synthetic/frame_pacer.hpp"
#include "media/video_source.hpp"

namespace peercall {

// Holds the texture for one picture size; render() only copies and draws, so
// a 1280x720 frame costs about a millisecond.
class TestPatternRenderer {
 public:
  // width and height must be positive and even; otherwise render() returns
  // an empty frame.
  TestPatternRenderer(int width, int height);
  VideoFrame render(uint64_t index, int fps, Instant capture_time) const;
  int width() const { return width_; }
  int height() const { return height_; }
  bool valid() const { return valid_; }

 private:
  void draw_disc(uint8_t* y, uint8_t* u, uint8_t* v, double t, int top) const;
  void draw_clock(uint8_t* y, uint8_t* u, uint8_t* v, uint64_t index, Instant capture_time,
                  int top) const;

  int width_, height_;
  bool valid_;
  // One texture period per row, stored twice side by side so any scroll
  // offset in [0, width) is a single memcpy.
  std::vector<uint8_t> tex_y_, tex_u_, tex_v_;
};

// Frame `index` of the pattern at width x height, stamped with frame number
// `index` and `capture_time`. Caches the texture of the last size per thread.
VideoFrame render_test_frame(int width, int height, uint64_t index, int fps, Instant capture_time);

// Emulates a camera: read() returns frame i at start + i/fps (start = the
// first read), stamped with the time it was due (FramePacer::Tick); see
// FramePacer for what happens when the consumer falls behind.
class TestPatternSource : public VideoSource {
 public:
  TestPatternSource(int width, int height, int fps);
  std::optional<VideoFrame> read() override;
  // Makes a blocked read(), and every later one, return nullopt promptly.
  void interrupt() override;
  std::string describe() const override;  // "test pattern 1280x720@30"
  std::string error() const override { return error_; }

 private:
  TestPatternRenderer renderer_;
  int fps_;
  std::string error_;  // set at construction only
  FramePacer pacer_;
};

}  // namespace peercall
