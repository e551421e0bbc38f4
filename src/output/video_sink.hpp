#pragma once
// Where decoded (or local) video goes. Called from one thread at a time; must
// not block for long: slow sinks keep their own latest-only slot.
#include "media/frames.hpp"

namespace peercall {

class VideoSink {
 public:
  virtual ~VideoSink() = default;
  virtual void on_video(const VideoFrame& frame) = 0;
  virtual void close() {}
};

}  // namespace peercall
