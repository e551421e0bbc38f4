#pragma once
// A source of raw video. read() blocks until the next frame is due (devices,
// paced test sources) and returns nullopt at the end or on failure; the
// capture thread owns it. error() says why it ended, in one line.
#include <optional>
#include <string>

#include "media/frames.hpp"

namespace peercall {

class VideoSource {
 public:
  virtual ~VideoSource() = default;
  virtual std::optional<VideoFrame> read() = 0;
  // Wakes a blocked read() so the capture thread can exit promptly.
  virtual void interrupt() {}
  virtual std::string describe() const = 0;
  virtual std::string error() const { return {}; }
  // The source's own frame rate if it has one (a file's, the asked one of a
  // device); 0 = unknown. Sizes the encoder's rate control.
  virtual double frame_rate() const { return 0; }
  // Text and flat areas (a screen): the encoder tunes for them.
  virtual bool screen_content() const { return false; }
  // Releases the device until the next read() (camera off, nobody watching);
  // false: not a device, nothing to release (files and test sources go on).
  virtual bool suspend() { return false; }
};

}  // namespace peercall
