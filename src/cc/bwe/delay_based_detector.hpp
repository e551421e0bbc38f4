#pragma once
// The delay signal of one feedback stream: send-time groups -> inter-group
// delay variation -> trendline -> overuse detector (the gradient: is a queue
// building?), plus the standing queue (how much delay sits above the lowest
// one-way delay seen in the last seconds: is a queue full?). The gradient alone
// goes quiet on a full drop-tail buffer; the standing queue does not.
#include <cstdint>
#include <deque>

#include "cc/bwe/bandwidth_usage.hpp"
#include "cc/bwe/overuse_detector.hpp"
#include "cc/bwe/send_group_deltas.hpp"
#include "cc/bwe/trendline_filter.hpp"
#include "cc/packet_result.hpp"

namespace peercall {

struct DelayBasedConfig {
  Duration group_length = milliseconds(5);
  Duration baseline_window = seconds(10);  // how long the lowest one-way delay is remembered
  TrendlineConfig trendline;
  OveruseDetectorConfig detector;
};

class DelayBasedDetector {
 public:
  explicit DelayBasedDetector(DelayBasedConfig config = {});

  // One received packet (arrival set), in send order.
  void on_packet(const PacketResult& packet);
  // Call after the packets of one report: updates the standing queue.
  void end_report();

  BandwidthUsage usage() const { return detector_.state(); }
  double modified_trend() const { return trendline_.modified_trend(); }
  double threshold() const { return detector_.threshold(); }
  Duration standing_queue() const { return standing_queue_; }

  // After an outage: the backlog's delay step says nothing about the rate we
  // will send at now. Keeps the delay baseline (the path did not change).
  void reset_gradient();
  // The delay floor moved (a longer path, not our queue): measure from the next report.
  void rebase();

 private:
  void note_one_way_delay(Instant send, int64_t owd_us);

  struct BaselineBucket {
    Instant start;
    int64_t min_owd_us;
  };
  DelayBasedConfig config_;
  SendGroupDeltas groups_;
  TrendlineFilter trendline_;
  OveruseDetector detector_;
  std::deque<BaselineBucket> baseline_;  // per-second minima of arrival - send
  int64_t report_min_owd_us_ = INT64_MAX;
  Duration standing_queue_{};
};

}  // namespace peercall
