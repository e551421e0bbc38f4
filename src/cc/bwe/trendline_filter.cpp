#include "cc/bwe/trendline_filter.hpp"

#include <algorithm>

namespace peercall {

double TrendlineFilter::update(double delay_variation_ms, double arrival_ms) {
  if (!have_origin_) {
    origin_ms_ = arrival_ms;
    have_origin_ = true;
  }
  deltas_ = std::min(deltas_ + 1, config_.max_delta_count);
  accumulated_ms_ += delay_variation_ms;
  smoothed_ms_ = config_.smoothing * smoothed_ms_ + (1 - config_.smoothing) * accumulated_ms_;
  points_.push_back({arrival_ms - origin_ms_, smoothed_ms_});
  while (points_.size() > config_.window) points_.pop_front();
  if (points_.size() >= config_.min_points) slope_ = fit_slope();
  modified_trend_ = slope_ * static_cast<double>(deltas_) * config_.threshold_gain;
  return modified_trend_;
}

double TrendlineFilter::fit_slope() const {
  double n = static_cast<double>(points_.size());
  double mean_x = 0, mean_y = 0;
  for (const Point& p : points_) {
    mean_x += p.x;
    mean_y += p.y;
  }
  mean_x /= n;
  mean_y /= n;
  double num = 0, den = 0;
  for (const Point& p : points_) {
    num += (p.x - mean_x) * (p.y - mean_y);
    den += (p.x - mean_x) * (p.x - mean_x);
  }
  // All points at one instant: no time axis to fit along; keep the last slope.
  return den > 0 ? num / den : slope_;
}

void TrendlineFilter::reset() {
  points_.clear();
  have_origin_ = false;
  origin_ms_ = accumulated_ms_ = smoothed_ms_ = slope_ = modified_trend_ = 0;
  deltas_ = 0;
}

}  // namespace peercall
