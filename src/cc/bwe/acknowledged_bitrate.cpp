#include "cc/bwe/acknowledged_bitrate.hpp"

#include <algorithm>

namespace peercall {

void AcknowledgedBitrate::on_packet(Instant arrival, size_t size) {
  if (!first_arrival_) {
    first_arrival_ = arrival;
    latest_ = arrival;
  }
  latest_ = std::max(latest_, arrival);
  arrivals_.push_back({arrival, size});
  bytes_ += size;
  Instant horizon = latest_ - window_;
  while (!arrivals_.empty() && arrivals_.front().at <= horizon) {
    bytes_ -= arrivals_.front().size;
    arrivals_.pop_front();
  }
}

std::optional<double> AcknowledgedBitrate::bitrate_bps() const {
  if (!first_arrival_ || arrivals_.empty()) return std::nullopt;
  // Young history: divide by the span actually observed, not the whole window.
  Duration span = std::min(window_, latest_ - *first_arrival_);
  if (span < min_span_) return std::nullopt;
  return static_cast<double>(bytes_) * 8.0 / to_seconds(span);
}

void AcknowledgedBitrate::reset() {
  arrivals_.clear();
  first_arrival_.reset();
  bytes_ = 0;
}

}  // namespace peercall
