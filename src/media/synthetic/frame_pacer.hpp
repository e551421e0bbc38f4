#pragma once
// Paces a synthetic device (test pattern, tone) like real hardware: frame i is
// due at start + i/rate, start being the first wait. Waiting is a
// condition-variable wait so interrupt() ends it at once.
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>

#include "core/time.hpp"

namespace peercall {

class FramePacer {
 public:
  struct Tick {
    uint64_t index;  // 0, 1, 2, ... without gaps
    // When the frame was due, as a device's clock stamps a capture: a late
    // wake-up on a loaded machine adds latency but no jitter to the stamps
    // (a receiver measures the rate from them). Now, if the schedule restarted.
    Instant time;
  };

  explicit FramePacer(int frames_per_second);

  // Blocks until the next frame is due. A caller that fell more than a frame
  // behind gets the frame at once and the schedule restarts from it, as a
  // device would not deliver a burst of stale frames. nullopt once interrupted.
  std::optional<Tick> wait_next();

  // Wakes a blocked wait_next(); it and every later call return nullopt.
  void interrupt();

 private:
  Duration offset_of(uint64_t index) const;

  const int rate_;
  uint64_t next_index_ = 0;
  std::optional<Instant> start_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool interrupted_ = false;
};

}  // namespace peercall
