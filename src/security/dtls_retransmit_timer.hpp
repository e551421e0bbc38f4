#pragma once
// The DTLS flight retransmission timer on the caller's clock (RFC 6347 4.2.4):
// armed when a flight goes out, doubled after each retransmission up to a cap,
// reset when the peer's next flight arrives.
//
// Initial 250 ms, cap 3 s: RFC 6347 suggests 1 s, but here DTLS runs over a
// path ICE has just proven, with RTTs far below 250 ms, and a lost packet at
// call set-up should cost a quarter second, not a second. Doubling still backs
// off quickly on a congested link. (libwebrtc starts lower still, at 50 ms.)
#include <algorithm>
#include <optional>

#include "core/time.hpp"

namespace peercall {

class DtlsRetransmitTimer {
 public:
  DtlsRetransmitTimer(Duration initial, Duration cap) : initial_(initial), cap_(cap), interval_(initial) {}

  bool armed() const { return deadline_.has_value(); }
  std::optional<Instant> deadline() const { return deadline_; }
  bool expired(Instant now) const { return deadline_ && now >= *deadline_; }

  // A flight was sent: wait the current interval (does nothing if already armed).
  void arm(Instant now) {
    if (!deadline_) deadline_ = now + interval_;
  }
  // The flight was retransmitted: wait twice as long for the answer.
  void backoff(Instant now) {
    interval_ = std::min(interval_ * 2, cap_);
    deadline_ = now + interval_;
  }
  // The peer answered (or the handshake ended): no flight outstanding.
  void reset() {
    deadline_.reset();
    interval_ = initial_;
  }
  Duration interval() const { return interval_; }

 private:
  Duration initial_;
  Duration cap_;
  Duration interval_;
  std::optional<Instant> deadline_;
};

}  // namespace peercall
