#pragma once
// The rate the peer actually received, from the arrival times in the feedback:
// bytes that arrived in the last `window` of the peer's clock over that window.
// It is what the bottleneck delivered, so on overuse it is the capacity we
// back off from. All received packets count (RTX and padding crossed the
// bottleneck too).
#include <cstddef>
#include <deque>
#include <optional>

#include "core/time.hpp"

namespace peercall {

class AcknowledgedBitrate {
 public:
  explicit AcknowledgedBitrate(Duration window = milliseconds(500),
                               Duration min_span = milliseconds(150))
      : window_(window), min_span_(min_span) {}

  // One received packet: its arrival (peer's clock) and size on the wire.
  void on_packet(Instant arrival, size_t size);

  // bit/s; nullopt until `min_span` of arrivals has been seen.
  std::optional<double> bitrate_bps() const;

  // Forgets everything, e.g. after an outage: the next rate is measured afresh.
  void reset();

 private:
  struct Arrival {
    Instant at;
    size_t size;
  };
  Duration window_;
  Duration min_span_;
  std::deque<Arrival> arrivals_;  // in insertion order; arrival times nearly sorted
  std::optional<Instant> first_arrival_;
  Instant latest_{};
  size_t bytes_ = 0;
};

}  // namespace peercall
