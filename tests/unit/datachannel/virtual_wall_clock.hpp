#pragma once
// usrsctp reads the wall clock (gettimeofday) for RTT samples, for "has this
// chunk been outstanding long enough to resend" on T3 expiry (at least 10 ms,
// its clock granularity) and for heartbeat idleness. On a virtual clock that
// races ahead of real time, a T3 expiry then finds nothing old enough and the
// association stalls. This test binary therefore defines gettimeofday itself
// (the executable's definition interposes libc's for libusrsctp.so), and the
// wall time it reports moves only with the virtual clock: deterministic, no
// sleeping. Only usrsctp (and gtest) call gettimeofday in this process.
#include "core/time.hpp"

namespace peercall::test {

// Moves the virtual wall clock forward by how far `now` is past the last
// Instant seen (an earlier Instant, a new test's clock, moves nothing).
void advance_wall_clock(Instant now);

}  // namespace peercall::test
