#pragma once
// Deterministic packet traces on a virtual clock for the jitter buffer tests:
// a sender making one 20 ms frame per (its own) 20 ms, a link that delays,
// jitters, reorders or loses them, and a playout clock pulling every 20 ms.
#include <algorithm>
#include <cstdint>
#include <functional>
#include <random>
#include <vector>

#include "core/time.hpp"
#include "media/audio/jitter/playout_decision.hpp"

namespace peercall::test {

inline const Instant kT0 = Instant{} + seconds(1000);
inline constexpr Duration kFrame = milliseconds(20);

struct TracePacket {
  int index = 0;  // the sender's frame number
  uint16_t sequence = 0;
  uint32_t rtp_timestamp = 0;
  Instant arrival{};
};

struct Link {
  int frames = 1000;
  double sender_drift = 0.0;  // +0.005: the sender's clock runs 0.5% fast
  double base_delay_ms = 40.0;
  // Extra delay (ms, may be negative down to -base) and loss, per frame.
  std::function<double(int, std::mt19937&)> jitter_ms;
  std::function<bool(int, std::mt19937&)> lost;
  uint16_t first_sequence = 65'500;            // wraps early in every trace
  uint32_t first_timestamp = 0xFFFF'FFFFu - 960u * 40u;
  uint32_t seed = 1;
};

inline Instant at_ms(double ms) {
  return kT0 + std::chrono::duration_cast<Duration>(std::chrono::duration<double, std::milli>(ms));
}

// Sorted by arrival (ties keep send order).
inline std::vector<TracePacket> make_trace(const Link& link) {
  std::mt19937 rng(link.seed);
  std::vector<TracePacket> out;
  for (int k = 0; k < link.frames; ++k) {
    const double sent_ms = k * 20.0 / (1.0 + link.sender_drift);
    const double jitter = link.jitter_ms ? link.jitter_ms(k, rng) : 0.0;
    const bool lost = link.lost ? link.lost(k, rng) : false;
    if (lost) continue;
    TracePacket p;
    p.index = k;
    p.sequence = uint16_t(link.first_sequence + k);
    p.rtp_timestamp = link.first_timestamp + uint32_t(k) * 960u;
    p.arrival = at_ms(sent_ms + link.base_delay_ms + jitter);
    out.push_back(p);
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const TracePacket& a, const TracePacket& b) { return a.arrival < b.arrival; });
  return out;
}

struct Pull {
  Instant at{};
  FrameKind kind = FrameKind::kSilence;
  int delay_ms = 0;
  int target_ms = 0;
  int buffered_ms = 0;
};

// Pulls every 20 ms from `first_pull` until `pulls` are done, inserting each
// packet whose arrival is not after the pull first.
template <typename Insert, typename PullFn>
std::vector<Pull> run_trace(const std::vector<TracePacket>& trace, Instant first_pull, int pulls,
                            Insert&& insert, PullFn&& pull) {
  std::vector<Pull> out;
  size_t next = 0;
  for (int n = 0; n < pulls; ++n) {
    const Instant now = first_pull + n * kFrame;
    while (next < trace.size() && trace[next].arrival <= now) insert(trace[next++]);
    out.push_back(pull(now));
  }
  return out;
}

inline int count(const std::vector<Pull>& pulls, FrameKind kind, size_t from = 0) {
  int n = 0;
  for (size_t i = from; i < pulls.size(); ++i) n += pulls[i].kind == kind;
  return n;
}

template <typename Field>
int max_of(const std::vector<Pull>& pulls, Field field, size_t from = 0, size_t to = SIZE_MAX) {
  int m = 0;
  for (size_t i = from; i < std::min(to, pulls.size()); ++i) m = std::max(m, pulls[i].*field);
  return m;
}

}  // namespace peercall::test
