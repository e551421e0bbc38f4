#include "cc/bwe/overuse_detector.hpp"

#include <algorithm>
#include <cmath>

namespace peercall {

BandwidthUsage OveruseDetector::detect(double m, double send_delta_ms, double now_ms) {
  if (m > threshold_) {
    // Count half a group for the first sample: it was above for part of it.
    time_over_ms_ = time_over_ms_ < 0 ? send_delta_ms / 2 : time_over_ms_ + send_delta_ms;
    ++over_count_;
    if (time_over_ms_ > config_.overuse_time_ms && over_count_ > 1 && m >= previous_trend_) {
      time_over_ms_ = 0;
      over_count_ = 0;
      state_ = BandwidthUsage::kOverusing;
    }
    // Above the threshold but no longer rising: keep the previous verdict.
  } else if (m < -threshold_) {
    time_over_ms_ = -1;
    over_count_ = 0;
    state_ = BandwidthUsage::kUnderusing;
  } else {
    time_over_ms_ = -1;
    over_count_ = 0;
    state_ = BandwidthUsage::kNormal;
  }
  previous_trend_ = m;
  adapt_threshold(m, now_ms);
  return state_;
}

void OveruseDetector::adapt_threshold(double m, double now_ms) {
  if (last_update_ms_ < 0) last_update_ms_ = now_ms;
  double magnitude = std::fabs(m);
  if (magnitude > threshold_ + config_.max_adapt_offset) {
    // A spike (a queue suddenly building or a clock hiccup): adapting to it
    // would blind the detector to the next real overuse.
    last_update_ms_ = now_ms;
    return;
  }
  double k = magnitude < threshold_ ? config_.k_down : config_.k_up;
  double dt = std::clamp(now_ms - last_update_ms_, 0.0, config_.max_adapt_step_ms);
  threshold_ += k * (magnitude - threshold_) * dt;
  threshold_ = std::clamp(threshold_, config_.min_threshold, config_.max_threshold);
  last_update_ms_ = now_ms;
}

void OveruseDetector::reset() {
  threshold_ = config_.initial_threshold;
  state_ = BandwidthUsage::kNormal;
  time_over_ms_ = -1;
  over_count_ = 0;
  previous_trend_ = 0;
  last_update_ms_ = -1;
}

}  // namespace peercall
