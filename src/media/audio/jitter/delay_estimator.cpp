#include "media/audio/jitter/delay_estimator.hpp"

#include <algorithm>
#include <cmath>

#include "media/frames.hpp"

namespace peercall {

DelayEstimator::DelayEstimator(DelayEstimatorConfig config) : config_(config) {
  config_.bucket_ms = std::max(1, config_.bucket_ms);
  config_.max_delay_ms = std::max(config_.bucket_ms, config_.max_delay_ms);
  config_.quantile = std::clamp(config_.quantile, 0.5, 1.0);
  config_.forget_factor = std::clamp(config_.forget_factor, 0.5, 0.99999);
  reset();
}

void DelayEstimator::reset() {
  window_.clear();
  last_arrival_.reset();
  histogram_.assign(size_t(config_.max_delay_ms / config_.bucket_ms), 0.0);
  histogram_[0] = 1.0;  // until told otherwise, the link is clean
  target_ms_ = config_.bucket_ms;
}

double DelayEstimator::lag_of(int64_t timestamp, Instant arrival) {
  return double(to_micros(arrival)) / 1000.0 - double(timestamp) * 1000.0 / kAudioSampleRate;
}

double DelayEstimator::on_packet(int64_t timestamp, Instant arrival,
                                 std::optional<double> late_cap_ms) {
  const double lag = lag_of(timestamp, arrival);
  // A monotonic queue: the front is always the smallest lag in the window.
  while (!window_.empty() && window_.back().lag_ms >= lag) window_.pop_back();
  window_.push_back({arrival, lag});
  while (window_.size() > 1 && arrival - window_.front().arrival > config_.reference_window)
    window_.pop_front();
  // Packets arrive in any order; a reordered one may be older than the front,
  // which is fine: the window is in arrival time, the lag is what counts.
  const double relative = lag - window_.front().lag_ms;
  const double frame_ms = 1000.0 * kAudioFrameSamples / kAudioSampleRate;
  const double gap_ms =
      last_arrival_ ? double(to_micros(arrival - *last_arrival_)) / 1000.0 : frame_ms;
  last_arrival_ = arrival;
  if (!late_cap_ms) {
    add_to_histogram(relative, 1.0);
  } else {
    add_to_histogram(std::min(relative, *late_cap_ms + frame_ms),
                     std::clamp(gap_ms / frame_ms, 0.0, 1.0));
  }
  return relative;
}

void DelayEstimator::add_to_histogram(double relative_delay_ms, double weight) {
  const size_t last = histogram_.size() - 1;
  const size_t bucket = std::min(last, size_t(std::max(0.0, relative_delay_ms) / config_.bucket_ms));
  const double f = std::pow(config_.forget_factor, weight);
  for (double& p : histogram_) p *= f;
  histogram_[bucket] += 1.0 - f;
  // The smallest bucket whose cumulative probability reaches the quantile.
  double sum = 0.0;
  size_t chosen = last;
  for (size_t b = 0; b <= last; ++b) {
    sum += histogram_[b];
    if (sum >= config_.quantile - 1e-9) {
      chosen = b;
      break;
    }
  }
  target_ms_ = int(chosen + 1) * config_.bucket_ms;
}

double DelayEstimator::offset_ms(int64_t timestamp, Instant now) const {
  if (window_.empty()) return 0.0;
  return lag_of(timestamp, now) - window_.front().lag_ms;
}

}  // namespace peercall
