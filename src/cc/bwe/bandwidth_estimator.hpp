#pragma once
// The sender's bandwidth estimate for one call, from transport-wide feedback
// (draft-ietf-rmcat-gcc-02 in spirit): the delay signal drives an AIMD rate,
// loss lowers it only when it is congestion (see loss_based_control.hpp), and
// the received rate anchors every decrease. Sans-I/O: feed it reports and
// instants; read target_bitrate_bps() after each.
//
// Outage: no feedback for `outage_after` holds the rate (nothing ramps on
// silence: the rate only moves when feedback arrives). When feedback resumes,
// the packets sent during the silence (the backlog) count for the received
// rate only: their delay step and their losses describe the outage, not the
// rate we send at now.
//
// Standing queue: a full drop-tail buffer has a flat delay, so the gradient
// says "normal" while every packet waits hundreds of ms. A standing queue of
// `drain_standing_queue` or more that is not draining lowers the rate to
// received x (1 - queue / drain_time), between 0.5 and beta, so that it drains
// in about `drain_time`. If a decrease did not shrink
// it within `rebase_after`, the delay is not ours (the path got longer): the
// floor is re-measured instead of cutting the rate again. Unless packets are
// being lost meanwhile (`rebase_max_loss` or more): a longer path drops
// nothing, a full drop-tail queue does, and re-measuring its floor would
// leave only the loss rule to keep us from filling it for good (issue 10:
// both ways capped, the queue stays full while the peer's media fills the
// way back).
#include <cstdint>
#include <optional>

#include "cc/bwe/acknowledged_bitrate.hpp"
#include "cc/bwe/aimd_rate_control.hpp"
#include "cc/bwe/bandwidth_usage.hpp"
#include "cc/bwe/delay_based_detector.hpp"
#include "cc/bwe/loss_based_control.hpp"
#include "cc/packet_result.hpp"

namespace peercall {

struct BandwidthEstimatorConfig {
  int min_bitrate_bps = 50'000;
  int max_bitrate_bps = 2'500'000;
  int start_bitrate_bps = 1'000'000;
  Duration outage_after = seconds(1);                    // no feedback this long: outage
  Duration congested_standing_queue = milliseconds(50);  // a delay signal for the loss rule
  Duration drain_standing_queue = milliseconds(100);     // counts as overuse on its own
  Duration drain_time = seconds(2);
  Duration rebase_after = milliseconds(1500);
  double rebase_max_loss = 0.05;
  DelayBasedConfig delay;
  LossBasedConfig loss;
  AimdConfig aimd;  // its min/max/start are taken from the three fields above
};

// Why the last rate change happened (stats and logs).
enum class RateReason { kStart, kIncrease, kHold, kDelayDecrease, kLossDecrease, kOutage, kProbe };
std::string_view to_string(RateReason r);

struct BweEstimateState {
  int target_bps = 0;
  RateControlState rate_state = RateControlState::kHold;
  RateReason last_reason = RateReason::kStart;
  BandwidthUsage usage = BandwidthUsage::kNormal;
  double delay_trend = 0;          // modified trend, ms (compared with the threshold)
  double delay_threshold = 0;      // the adaptive threshold gamma
  Duration standing_queue{};       // one-way delay above the recent minimum
  std::optional<double> loss_fraction;
  std::optional<int> acknowledged_bps;
  // The same over the last ~200 ms of arrivals: what the bottleneck carries
  // now, a few hundred ms before the 500-ms figure shows a collapse.
  std::optional<int> recent_acknowledged_bps;
  std::optional<int> link_capacity_bps;  // received rate at recent decreases
  bool startup = true;
  bool outage = false;
  int64_t feedback_reports = 0;
};

class BandwidthEstimator {
 public:
  explicit BandwidthEstimator(BandwidthEstimatorConfig config = {});

  void on_feedback(const TransportFeedbackReport& report);
  void on_rtt(Duration rtt, Instant now);
  // RTCP RR fraction lost (0..1), optional: used when feedback has no counts.
  void on_loss_report(double fraction, Instant now);
  void set_bounds(int min_bps, int max_bps);
  // A bandwidth probe measured `bps` (ProbeBitrateEstimator): the estimate
  // rises to it, unless the delay says the path is congested right now.
  void on_probe_result(double bps, Instant now);
  // The caller saw the path collapse (CongestionController::note_collapse):
  // down to `bps` at once, if that is lower.
  void cut_to(double bps, Instant now);
  // While the caller has stopped sending into a queue it knows is full (the
  // video paused at a collapse), feedback is measured but moves no rate: the
  // rate received then is only what still flows (audio), and the queue's
  // delay is already being drained; cutting on them sank the estimate to
  // the floor (2 -> 0.3 Mbit/s: 382 -> 119 kbit/s while paused).
  void hold(bool held) { held_ = held; }

  int target_bitrate_bps() const { return static_cast<int>(aimd_.target_bps()); }
  bool in_outage(Instant now) const;
  BweEstimateState estimate_state(Instant now) const;

 private:
  bool delay_congested() const;
  bool standing_queue_needs_drain(Instant now);

  BandwidthEstimatorConfig config_;
  DelayBasedDetector delay_;
  AcknowledgedBitrate acked_;
  AcknowledgedBitrate recent_acked_{milliseconds(200), milliseconds(100)};
  LossBasedControl loss_;
  AimdRateControl aimd_;
  std::optional<Instant> last_feedback_;
  std::optional<int64_t> highest_sequence_;
  std::optional<Instant> backlog_sent_before_;  // packets sent before this: outage backlog
  std::optional<Instant> drain_decided_at_;  // a standing-queue overuse, awaiting its effect
  Duration drain_queue_at_decision_{};
  RateReason last_reason_ = RateReason::kStart;
  bool held_ = false;
  int64_t reports_ = 0;
};

}  // namespace peercall
