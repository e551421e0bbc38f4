#pragma once
// How long loss recovery by retransmission (NACK + RTX) may take, from the
// round-trip time: one place for the budget, so that the NACK generator stops
// asking exactly when the frame assembler stops waiting, and the sender's
// resend throttle matches the receiver's re-NACK pace.
#include <algorithm>
#include <cstddef>

#include "core/time.hpp"

namespace peercall {

struct LossRecoveryConfig {
  // Before the first RTT measurement (and for receive-only sessions, which
  // learn no RTT from sender reports).
  Duration default_rtt = milliseconds(100);
  // A missing packet is waited for max(wait_rtts * RTT, min_wait), at most
  // max_wait; then the frame is given up and, unless a keyframe follows
  // anyway, one is requested.
  double wait_rtts = 4.0;
  Duration min_wait = milliseconds(300);
  Duration max_wait = seconds(1);
  // Not repaired this many RTTs after a NACK: NACK it again.
  double renack_rtts = 1.2;
  int max_nack_tries = 10;
  // While the decoder lacks a reference, ask for a keyframe again after
  // keyframe_request_rtts * RTT + keyframe_request_margin (the answer's round
  // trip plus the keyframe's own transfer), at least min_keyframe_request_interval.
  double keyframe_request_rtts = 1.5;
  Duration keyframe_request_margin = milliseconds(50);
  Duration min_keyframe_request_interval = milliseconds(100);
  // Send side: the packets kept for retransmission, per stream.
  size_t history_bytes = 2 * 1024 * 1024;
  Duration history_age = seconds(1);
};

inline Duration scale(Duration d, double factor) {
  return Duration(static_cast<Duration::rep>(static_cast<double>(d.count()) * factor));
}

// How long the receiver waits for a retransmission of one packet.
inline Duration recovery_wait(const LossRecoveryConfig& c, Duration rtt) {
  return std::clamp(scale(rtt, c.wait_rtts), std::min(c.min_wait, c.max_wait), c.max_wait);
}

// How long after a NACK the receiver asks again.
inline Duration renack_interval(const LossRecoveryConfig& c, Duration rtt) {
  return std::max(scale(rtt, c.renack_rtts), Duration(milliseconds(10)));
}

// How long after a keyframe request (PLI) without a keyframe the receiver asks again.
inline Duration keyframe_request_interval(const LossRecoveryConfig& c, Duration rtt) {
  return std::max(scale(rtt, c.keyframe_request_rtts) + c.keyframe_request_margin,
                  c.min_keyframe_request_interval);
}

// The sender resends one packet at most this often: a burst of NACKs for the
// same loss (re-NACKs overtaking a retransmission in flight) costs one resend.
inline Duration resend_interval(Duration rtt) { return std::max(rtt / 2, Duration(milliseconds(10))); }

}  // namespace peercall
