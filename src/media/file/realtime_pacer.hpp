#pragma once
// Hands media out at the speed it was recorded: wait(t) sleeps until the start
// plus t. A reader that falls behind is not made to catch up in a burst (that
// would flood the encoder); the schedule slides instead. interrupt() wakes a
// sleeping wait() for good, so a capture thread can exit promptly.
// wait() returns the instant the media was due, which is what a frame is
// stamped with: on a loaded machine the wake-up is late by a scheduler's whim,
// and stamping that moment would put its jitter into the RTP timestamps, from
// which a receiver measures the rate (a y4m's header).
#include <condition_variable>
#include <mutex>
#include <optional>

#include "core/time.hpp"

namespace peercall {

class RealtimePacer {
 public:
  // How late a frame may be before the schedule slides.
  static constexpr Duration kMaxLateness = milliseconds(100);

  // Blocks until `media_time` after the start (anchored at the first call) and
  // returns that instant (now, if the schedule slid); nullopt once interrupted.
  std::optional<Instant> wait(Duration media_time);
  void interrupt();
  bool interrupted() const;

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::optional<Instant> start_;
  bool interrupted_ = false;
};

}  // namespace peercall
