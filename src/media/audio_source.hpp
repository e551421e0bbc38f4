#pragma once
// A source of raw audio in 20 ms frames of 48 kHz mono s16. read() blocks until
// the frame is due and returns nullopt at the end or on failure.
#include <optional>
#include <string>

#include "media/frames.hpp"

namespace peercall {

class AudioSource {
 public:
  virtual ~AudioSource() = default;
  virtual std::optional<AudioFrame> read() = 0;
  virtual void interrupt() {}
  virtual std::string describe() const = 0;
  virtual std::string error() const { return {}; }
  // Releases the device until the next read(); false: not a device.
  virtual bool suspend() { return false; }
};

}  // namespace peercall
