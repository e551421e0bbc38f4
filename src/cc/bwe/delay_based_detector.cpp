#include "cc/bwe/delay_based_detector.hpp"

#include <algorithm>

namespace peercall {
namespace {
constexpr Duration kBaselineBucket = seconds(1);
double to_ms(Duration d) { return static_cast<double>(to_micros(d)) / 1000.0; }
}  // namespace

DelayBasedDetector::DelayBasedDetector(DelayBasedConfig config)
    : config_(config),
      groups_(config.group_length),
      trendline_(config.trendline),
      detector_(config.detector) {}

void DelayBasedDetector::on_packet(const PacketResult& packet) {
  if (!packet.arrival) return;
  // Arrival is on the peer's clock: arrival - send is the one-way delay plus an
  // unknown constant offset, so only its changes against the minimum matter.
  int64_t owd_us = to_micros(*packet.arrival) - to_micros(packet.send_time);
  note_one_way_delay(packet.send_time, owd_us);
  report_min_owd_us_ = std::min(report_min_owd_us_, owd_us);

  std::optional<GroupDelta> delta = groups_.on_packet(packet.send_time, *packet.arrival, packet.size);
  if (!delta) return;
  double variation_ms = to_ms(delta->arrival_delta - delta->send_delta);
  double arrival_ms = to_ms(delta->arrival.time_since_epoch());
  double trend = trendline_.update(variation_ms, arrival_ms);
  detector_.detect(trend, to_ms(delta->send_delta), arrival_ms);
}

void DelayBasedDetector::note_one_way_delay(Instant send, int64_t owd_us) {
  if (baseline_.empty() || send - baseline_.back().start >= kBaselineBucket) {
    baseline_.push_back({send, owd_us});
  } else {
    baseline_.back().min_owd_us = std::min(baseline_.back().min_owd_us, owd_us);
  }
  while (baseline_.size() > 1 && send - baseline_.front().start > config_.baseline_window) {
    baseline_.pop_front();
  }
}

void DelayBasedDetector::end_report() {
  if (report_min_owd_us_ == INT64_MAX || baseline_.empty()) return;
  int64_t base = INT64_MAX;
  for (const BaselineBucket& b : baseline_) base = std::min(base, b.min_owd_us);
  // The least-delayed packet of the report: jitter can only add delay, so the
  // minimum is the honest measure of the queue that stays.
  standing_queue_ = microseconds(std::max<int64_t>(0, report_min_owd_us_ - base));
  report_min_owd_us_ = INT64_MAX;
}

void DelayBasedDetector::rebase() {
  baseline_.clear();
  standing_queue_ = Duration::zero();
}

void DelayBasedDetector::reset_gradient() {
  groups_.reset();
  trendline_.reset();
  detector_.reset();
}

}  // namespace peercall
