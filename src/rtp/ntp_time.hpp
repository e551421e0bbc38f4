#pragma once
// NTP-format timestamps for RTCP (RFC 3550 section 4). The session uses the
// monotonic clock as its "NTP" clock: seconds since the steady-clock epoch in
// the high 32 bits, binary fraction in the low 32. Both peers only ever compare
// a timestamp with one they produced, so a shared wall-clock epoch is not needed.
#include <chrono>
#include <cstdint>
#include <optional>

#include "core/time.hpp"
#include "rtp/rtcp_packet.hpp"

namespace peercall {

namespace ntp_detail {
inline constexpr uint64_t kNanosPerSecond = 1'000'000'000;
}

// Instants before the clock epoch map to 0; 2^32 s after it the value wraps.
inline uint64_t instant_to_ntp(Instant t) {
  using ntp_detail::kNanosPerSecond;
  const int64_t ns = std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
  if (ns <= 0) return 0;
  const uint64_t secs = uint64_t(ns) / kNanosPerSecond;
  const uint64_t rem = uint64_t(ns) % kNanosPerSecond;
  return secs << 32 | (rem << 32) / kNanosPerSecond;
}

inline Instant ntp_to_instant(uint64_t ntp) {
  using ntp_detail::kNanosPerSecond;
  const uint64_t secs = ntp >> 32;
  const uint64_t frac_ns = ((ntp & 0xffffffff) * kNanosPerSecond + (1ull << 31)) >> 32;
  return Instant(std::chrono::duration_cast<Duration>(
      std::chrono::nanoseconds(int64_t(secs * kNanosPerSecond + frac_ns))));
}

// The middle 32 bits (16.16 fixed point seconds), as carried in LSR.
inline uint32_t compact_ntp(uint64_t ntp) { return uint32_t(ntp >> 16); }

// A duration in 1/65536 s units (DLSR), clamped to what fits in 32 bits.
inline uint32_t duration_to_compact_ntp(Duration d) {
  using ntp_detail::kNanosPerSecond;
  const int64_t ns = std::chrono::duration_cast<std::chrono::nanoseconds>(d).count();
  if (ns <= 0) return 0;
  if (uint64_t(ns) >= (uint64_t(1) << 16) * kNanosPerSecond) return 0xffffffff;
  return uint32_t((uint64_t(ns) << 16) / kNanosPerSecond);
}

inline Duration compact_ntp_to_duration(uint32_t compact) {
  using ntp_detail::kNanosPerSecond;
  return std::chrono::duration_cast<Duration>(
      std::chrono::nanoseconds(int64_t((uint64_t(compact) * kNanosPerSecond) >> 16)));
}

// RFC 3550 6.4.1: RTT = A - LSR - DLSR, with A the compact NTP time the report
// arrived. Modular 32-bit arithmetic survives the 18-hour wrap of compact NTP.
// nullopt when the peer has seen no SR yet (LSR 0) or the result is negative.
inline std::optional<Duration> round_trip_time(const ReportBlock& block, Instant arrival) {
  if (block.last_sr == 0) return std::nullopt;
  const uint32_t a = compact_ntp(instant_to_ntp(arrival));
  const auto rtt = int32_t(a - block.last_sr - block.delay_since_last_sr);
  if (rtt < 0) return std::nullopt;
  return compact_ntp_to_duration(uint32_t(rtt));
}

}  // namespace peercall
