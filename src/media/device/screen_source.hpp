#pragma once
// The X11 screen (or a region of it) as a video source: libavdevice's x11grab
// of $DISPLAY, converted to tight I420 at the region's own size (rounded down
// to even). x11grab paces itself at the asked frame rate; capture_time is the
// moment a picture was grabbed. Wayland has no such interface for other
// programs (only the desktop portal and PipeWire): not supported.
#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "core/result.hpp"
#include "media/ffmpeg/ffmpeg_ptr.hpp"
#include "media/video_source.hpp"

namespace peercall {

struct ScreenConfig {
  std::string display;  // "" = $DISPLAY
  int x = 0, y = 0;     // top-left corner of the region
  int width = 0;        // 0 and 0 = the whole screen
  int height = 0;
  int fps = 15;         // screens change little: fewer, sharper frames
  bool draw_mouse = true;
};

// Parses the part after "screen" in --video: "" (whole screen) or ":+X,Y,WxH".
// Error: "--video screen:+X,Y,WxH: expected e.g. screen:+0,0,1280x720".
Result<ScreenConfig> parse_screen_spec(const std::string& after_screen);

class ScreenSource final : public VideoSource {
 public:
  // Error e.g. "screen capture: no X display (DISPLAY is not set)", or the
  // Wayland line when only WAYLAND_DISPLAY is set.
  static Result<std::unique_ptr<ScreenSource>> open(const ScreenConfig& config);
  ~ScreenSource() override;

  std::optional<VideoFrame> read() override;
  void interrupt() override { interrupted_ = true; }
  std::string describe() const override;  // "screen :99+0,0 640x360@15"
  std::string error() const override { return error_; }
  double frame_rate() const override { return config_.fps; }
  bool screen_content() const override { return true; }

 private:
  explicit ScreenSource(const ScreenConfig& config) : config_(config) {}
  static int interrupt_requested(void* self);
  std::optional<VideoFrame> convert(const AVFrame& frame);

  ScreenConfig config_;
  std::atomic<bool> interrupted_{false};
  InputFormatPtr format_;
  CodecContextPtr decoder_;
  PacketPtr packet_;
  FramePtr frame_;
  SwsContextPtr sws_;
  int stream_index_ = -1;
  uint64_t index_ = 0;
  std::string error_;
};

}  // namespace peercall
