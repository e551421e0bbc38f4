#pragma once
// Where decoded audio goes (speakers, files, pipes, nothing).
#include "core/time.hpp"
#include "media/frames.hpp"

namespace peercall {

class AudioSink {
 public:
  virtual ~AudioSink() = default;
  virtual void on_audio(const AudioFrame& frame) = 0;
  virtual void close() {}
  // How long a sample handed to on_audio() now waits before it is heard:
  // what the sink still has queued ahead of it, the device's buffers, and any
  // delay after the device the user told us of. Lip sync adds it to the
  // sound's delay. Files and pipes: 0. Called every 20 ms from the playout
  // thread, so it must be cheap and must not wait for the device's thread.
  virtual Duration output_delay() const { return Duration{}; }
};

}  // namespace peercall
