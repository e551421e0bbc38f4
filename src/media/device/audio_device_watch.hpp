#pragma once
// When an open audio device (microphone or speaker) is to be given up as
// gone, and when to try opening it again. Sans-I/O: the device's owner feeds
// what it sees (SDL's status, when the device last moved audio) with the time,
// and acts on the answer: close the device and say so, or try to reopen it.
//
// Gone means SDL marked the device stopped (PulseAudio removed the sink or
// source, the USB headset was pulled: SDL_AUDIODEVICEREMOVED's cause), or the
// device delivered audio and then stopped doing so for `stall_timeout` (a
// stream the server forgot). A device that has not delivered yet is not judged
// stalled: servers take a moment (a null sink up to 2 s) to start.
#include <cstdint>

#include "core/time.hpp"

namespace peercall {

class AudioDeviceWatch {
 public:
  struct Config {
    Duration retry_interval = seconds(1);
    Duration stall_timeout = seconds(3);
  };

  enum class Action {
    kNone,
    kGiveUp,  // close the device, say it is gone (once), carry on without it
    kReopen,  // try opening it again now; tell reopened()/reopen_failed()
  };

  explicit AudioDeviceWatch(Config config) : config_(config) {}
  AudioDeviceWatch() : AudioDeviceWatch(Config{}) {}

  // The device was opened (the first time) at `now`.
  void opened(Instant now);

  // `stopped`: SDL reports the device stopped. `last_activity`: when the device
  // last delivered or pulled audio (Instant{} = never since it was opened).
  Action step(Instant now, bool stopped, Instant last_activity);

  // Outcome of a kReopen.
  void reopened(Instant now);
  void reopen_failed(Instant now);

  bool gone() const { return gone_; }
  // How long the device has been gone (zero while it is there).
  Duration gone_for(Instant now) const { return gone_ ? now - gone_since_ : Duration::zero(); }
  // Times it was given up (each followed by a reopen attempt every retry_interval).
  uint64_t losses() const { return losses_; }

 private:
  Config config_;
  bool gone_ = false;
  Instant opened_at_{};
  Instant gone_since_{};
  Instant next_retry_{};
  uint64_t losses_ = 0;
};

}  // namespace peercall
