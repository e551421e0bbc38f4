#include "virtual_wall_clock.hpp"

#include <sys/time.h>

#include <atomic>
#include <mutex>
#include <optional>

namespace peercall::test {
namespace {

std::mutex clock_mutex;
std::optional<Instant> last_instant;
int64_t wall_micros = 1'700'000'000'000'000;  // a plausible date; only differences matter

}  // namespace

void advance_wall_clock(Instant now) {
  std::lock_guard lock(clock_mutex);
  if (last_instant && now > *last_instant) wall_micros += to_micros(now - *last_instant);
  last_instant = now;
}

}  // namespace peercall::test

extern "C" int gettimeofday(struct timeval* tv, void* /*tz*/) {
  using namespace peercall::test;
  std::lock_guard lock(clock_mutex);
  tv->tv_sec = static_cast<time_t>(wall_micros / 1'000'000);
  tv->tv_usec = static_cast<suseconds_t>(wall_micros % 1'000'000);
  return 0;
}
