#pragma once
// Hands media out at the speed it was recorded: wait(t) sleeps until the start
// plus t. A reader that falls behind is not made to catch up in a burst (that
// would flood the encoder); the schedule slides instead. interrupt() wakes a
// sleeping wait() for good, so a capture thread can exit promptly.
#include <condition_variable>
#include <mutex>
#include <optional>

#include "core/time.hpp"

namespace peercall {

class RealtimePacer {
 public:
  // How late a frame may be before the schedule slides.
  static constexpr Duration kMaxLateness = milliseconds(100);

  // Blocks until `media_time` after the start (anchored at the first call).
  // Returns false once interrupted.
  bool wait(Duration media_time);
  void interrupt();
  bool interrupted() const;

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::optional<Instant> start_;
  bool interrupted_ = false;
};

}  // namespace peercall
