#pragma once
// Time as the protocol logic sees it: a value passed in, never read from a clock.
// Only src/app (and device edges) call Clock::now(); tests fabricate Instants.
#include <chrono>
#include <cstdint>

namespace peercall {

using Clock = std::chrono::steady_clock;  // CLOCK_MONOTONIC: shared by all processes on a machine
using Instant = Clock::time_point;
using Duration = Clock::duration;
using std::chrono::microseconds;
using std::chrono::milliseconds;
using std::chrono::seconds;

inline int64_t to_micros(Duration d) {
  return std::chrono::duration_cast<microseconds>(d).count();
}
inline int64_t to_micros(Instant t) { return to_micros(t.time_since_epoch()); }
inline double to_seconds(Duration d) { return std::chrono::duration<double>(d).count(); }
inline Instant instant_from_micros(int64_t us) { return Instant(microseconds(us)); }

}  // namespace peercall
