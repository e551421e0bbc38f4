#pragma once
// Where decoded audio goes (speakers, files, pipes, nothing).
#include "media/frames.hpp"

namespace peercall {

class AudioSink {
 public:
  virtual ~AudioSink() = default;
  virtual void on_audio(const AudioFrame& frame) = 0;
  virtual void close() {}
};

}  // namespace peercall
