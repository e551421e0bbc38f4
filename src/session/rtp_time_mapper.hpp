#pragma once
// Maps a stream's RTP timestamps onto our clock. Anchored at the packet that
// arrived with the least delay so far, so the mapping follows the sender's
// clock (smooth, no jitter) and never claims a frame was captured after it
// arrived. Used to time received frames for recording and playout.
// map_steady() is the sender's clock from the first packet on, never moved:
// while start-up delays shrink, map() re-anchors at every packet and the
// intervals between the first frames come out short (a 25 fps stream
// measured as 30); the steady map keeps the sender's intervals exactly.
#include <cstdint>
#include <optional>

#include "core/time.hpp"

namespace peercall {

class RtpTimeMapper {
 public:
  explicit RtpTimeMapper(uint32_t clock_rate) : clock_rate_(clock_rate) {}

  // Feeds one packet's timestamp and arrival; returns the mapped instant.
  Instant on_packet(uint32_t rtp_timestamp, Instant arrival) {
    const int64_t ts = unwrap(rtp_timestamp);
    if (!anchor_) {
      anchor_ = first_ = Anchor{ts, arrival};
      return arrival;
    }
    const Instant predicted = map_unwrapped(*anchor_, ts);
    if (arrival < predicted) anchor_ = Anchor{ts, arrival};  // less delay than ever: re-anchor
    return map_unwrapped(*anchor_, ts);
  }

  // Maps a timestamp near the ones fed so far, without learning from it.
  Instant map(uint32_t rtp_timestamp) const { return map_near(anchor_, rtp_timestamp); }
  // The same, from the first packet's anchor: exact intervals, offset by
  // whatever delay that packet had (so possibly after a later arrival).
  Instant map_steady(uint32_t rtp_timestamp) const { return map_near(first_, rtp_timestamp); }

 private:
  struct Anchor {
    int64_t rtp;
    Instant arrival;
  };
  int64_t unwrap(uint32_t ts) {
    if (!last_) {
      last_ = ts;
      unwrapped_ = ts;
      return unwrapped_;
    }
    unwrapped_ += static_cast<int32_t>(ts - *last_);
    last_ = ts;
    return unwrapped_;
  }
  Instant map_near(const std::optional<Anchor>& anchor, uint32_t rtp_timestamp) const {
    if (!anchor) return Instant{};
    return map_unwrapped(*anchor, unwrapped_ + static_cast<int32_t>(rtp_timestamp - *last_));
  }
  Instant map_unwrapped(const Anchor& anchor, int64_t ts) const {
    const int64_t delta_us = (ts - anchor.rtp) * 1'000'000 / int64_t(clock_rate_);
    return anchor.arrival + microseconds(delta_us);
  }

  uint32_t clock_rate_;
  std::optional<uint32_t> last_;
  int64_t unwrapped_ = 0;
  std::optional<Anchor> anchor_;
  std::optional<Anchor> first_;
};

}  // namespace peercall
