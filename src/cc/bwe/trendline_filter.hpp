#pragma once
// Estimates whether one-way queueing delay is growing: accumulates the
// inter-group delay variation, smooths it exponentially, and fits a
// least-squares line through the last `window` points (arrival time, smoothed
// delay). A positive slope means the bottleneck queue is filling.
#include <cstddef>
#include <deque>

namespace peercall {

struct TrendlineConfig {
  size_t window = 20;             // groups in the fit
  size_t min_points = 10;         // fit once this many points are in
  double smoothing = 0.9;         // weight of the previous smoothed delay
  double threshold_gain = 4.0;    // scales the slope into the detector's units
  size_t max_delta_count = 60;    // the slope counts for more as evidence accumulates, up to this
};

class TrendlineFilter {
 public:
  explicit TrendlineFilter(TrendlineConfig config = {}) : config_(config) {}

  // One group delta: `delay_variation_ms` = arrival delta - send delta, at
  // `arrival_ms` (peer's clock, any origin). Returns the modified trend.
  double update(double delay_variation_ms, double arrival_ms);

  double slope() const { return slope_; }  // ms of delay per ms of time
  // slope x min(deltas, max_delta_count) x gain: what the overuse detector compares.
  double modified_trend() const { return modified_trend_; }
  size_t deltas() const { return deltas_; }
  void reset();

 private:
  struct Point {
    double x;  // arrival ms since the first point
    double y;  // smoothed accumulated delay, ms
  };
  double fit_slope() const;

  TrendlineConfig config_;
  std::deque<Point> points_;
  bool have_origin_ = false;
  double origin_ms_ = 0;
  double accumulated_ms_ = 0;
  double smoothed_ms_ = 0;
  double slope_ = 0;
  double modified_trend_ = 0;
  size_t deltas_ = 0;
};

}  // namespace peercall
