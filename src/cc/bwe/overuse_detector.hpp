#pragma once
// Compares the trendline's modified trend m with an adaptive threshold gamma
// (draft-ietf-rmcat-gcc-02, sections 5.4 and 5.5): overusing when m stays above
// gamma for a while and is still rising, underusing below -gamma. gamma follows
// |m| slowly upwards (k_up) and faster downwards (k_down) so that the detector
// neither starves against a concurrent TCP flow nor fires on jitter alone.
#include "cc/bwe/bandwidth_usage.hpp"

namespace peercall {

struct OveruseDetectorConfig {
  double initial_threshold = 12.5;
  double min_threshold = 6;
  double max_threshold = 600;
  double k_up = 0.0087;    // per ms, when |m| > gamma
  double k_down = 0.039;   // per ms, when |m| < gamma
  double max_adapt_offset = 15;    // |m| this far above gamma is a real event: don't adapt to it
  double overuse_time_ms = 10;     // m must stay above gamma this long
  double max_adapt_step_ms = 100;  // one gap in the data adapts gamma no more than this
};

class OveruseDetector {
 public:
  explicit OveruseDetector(OveruseDetectorConfig config = {})
      : config_(config), threshold_(config.initial_threshold) {}

  // `modified_trend` from the trendline, `send_delta_ms` of the group just
  // measured, `now_ms` any monotonic ms (the peer's arrival time will do).
  BandwidthUsage detect(double modified_trend, double send_delta_ms, double now_ms);

  BandwidthUsage state() const { return state_; }
  double threshold() const { return threshold_; }
  void reset();

 private:
  void adapt_threshold(double modified_trend, double now_ms);

  OveruseDetectorConfig config_;
  double threshold_;
  BandwidthUsage state_ = BandwidthUsage::kNormal;
  double time_over_ms_ = -1;  // -1: not above the threshold
  int over_count_ = 0;
  double previous_trend_ = 0;
  double last_update_ms_ = -1;
};

}  // namespace peercall
