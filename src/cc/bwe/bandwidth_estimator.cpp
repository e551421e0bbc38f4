#include "cc/bwe/bandwidth_estimator.hpp"

#include <algorithm>

namespace peercall {
namespace {
AimdConfig aimd_config(const BandwidthEstimatorConfig& c) {
  AimdConfig a = c.aimd;
  a.min_bps = c.min_bitrate_bps;
  a.max_bps = std::max(c.min_bitrate_bps, c.max_bitrate_bps);
  a.start_bps = c.start_bitrate_bps;
  return a;
}
}  // namespace

std::string_view to_string(RateReason r) {
  switch (r) {
    case RateReason::kStart: return "start";
    case RateReason::kIncrease: return "increase";
    case RateReason::kHold: return "hold";
    case RateReason::kDelayDecrease: return "delay-decrease";
    case RateReason::kLossDecrease: return "loss-decrease";
    case RateReason::kOutage: return "outage";
    case RateReason::kProbe: return "probe";
  }
  return "?";
}

BandwidthEstimator::BandwidthEstimator(BandwidthEstimatorConfig config)
    : config_(config), delay_(config.delay), loss_(config.loss), aimd_(aimd_config(config)) {}

bool BandwidthEstimator::delay_congested() const {
  return delay_.usage() == BandwidthUsage::kOverusing ||
         delay_.standing_queue() >= config_.congested_standing_queue;
}

bool BandwidthEstimator::standing_queue_needs_drain(Instant now) {
  Duration queue = delay_.standing_queue();
  if (queue < config_.drain_standing_queue) {
    drain_decided_at_.reset();
    return false;
  }
  if (delay_.usage() == BandwidthUsage::kUnderusing) return false;  // draining already
  if (drain_decided_at_) {
    if (now - *drain_decided_at_ < config_.rebase_after) return false;  // give it time
    if (queue * 5 >= drain_queue_at_decision_ * 4) {
      if (const auto loss = loss_.loss_fraction(now); loss && *loss >= config_.rebase_max_loss) {
        // It did not move, but it drops packets: a full queue, not a longer
        // path. The loss rule cuts; look again later.
        drain_decided_at_ = now;
        return false;
      }
      // We cut the rate and the delay did not move: not a queue we fill.
      delay_.rebase();
      drain_decided_at_.reset();
      return false;
    }
  }
  drain_decided_at_ = now;
  drain_queue_at_decision_ = queue;
  return true;
}

void BandwidthEstimator::on_feedback(const TransportFeedbackReport& report) {
  Instant now = report.received_at;
  ++reports_;
  if (last_feedback_ && now - *last_feedback_ >= config_.outage_after) {
    // Back from an outage: what was sent meanwhile is backlog.
    backlog_sent_before_ = now;
    delay_.reset_gradient();
    acked_.reset();
    recent_acked_.reset();
  }
  last_feedback_ = now;

  LossBasedControl::Counts counts;
  std::optional<Instant> decided = loss_.last_decision();
  for (const PacketResult& p : report.packets) {
    if (highest_sequence_ && p.transport_sequence <= *highest_sequence_) continue;  // seen
    highest_sequence_ = p.transport_sequence;
    if (p.arrival) {
      acked_.on_packet(*p.arrival, p.size);
      recent_acked_.on_packet(*p.arrival, p.size);
    }
    if (backlog_sent_before_ && p.send_time < *backlog_sent_before_) continue;
    bool fresh = !decided || p.send_time > *decided;
    if (p.arrival) {
      delay_.on_packet(p);
      ++counts.received;
      counts.fresh_received += fresh;
    } else {
      ++counts.lost;
      counts.fresh_lost += fresh;
    }
  }
  delay_.end_report();
  counts.queue_standing = delay_.standing_queue() >= config_.congested_standing_queue;
  loss_.on_report(counts, now);
  if ((counts.received == 0 && counts.lost == 0) || held_) {
    last_reason_ = RateReason::kHold;  // nothing measured (all backlog, or duplicates), or held
    return;
  }

  std::optional<double> acked = acked_.bitrate_bps();
  bool congested = delay_congested();
  // Random loss (not at a standing queue) happened somewhere on the path; the
  // received rate understates what the bottleneck carried by that fraction.
  std::optional<double> delivered = acked;
  std::optional<double> random_loss = loss_.random_loss_fraction(now);
  if (acked && random_loss && *random_loss < config_.loss.very_high_loss) {
    delivered = *acked / (1 - *random_loss);
  }

  double before = aimd_.target_bps();
  if (std::optional<double> limit = loss_.congestion_limit(congested, before, acked, now)) {
    // The received rate is what the bottleneck carries while it drops: beta x
    // that drains the queue. Losses keep coming for a queue and an RTT after
    // a cut (the old rate's packets, a sender that slows down late); cutting
    // below it for them compounds to the floor (issue 10).
    const double floor = acked ? config_.loss.beta * *acked : 0;
    if (*limit < floor) limit = floor;
    if (*limit < before) {
      aimd_.decrease_to(*limit, delivered, now);
      last_reason_ = RateReason::kLossDecrease;
    } else {
      last_reason_ = RateReason::kHold;  // already below what the link carries: let it drain
    }
    return;
  }
  if (counts.received == 0) {
    last_reason_ = RateReason::kHold;  // all lost, not very high yet: never grow blind
    return;
  }
  if (acked && standing_queue_needs_drain(now)) {
    double drain = 1 - to_seconds(delay_.standing_queue()) / to_seconds(config_.drain_time);
    double factor = std::clamp(drain, 0.5, config_.aimd.beta);
    aimd_.decrease_to(factor * *acked, delivered, now);
    last_reason_ = RateReason::kDelayDecrease;
    return;
  }
  aimd_.update(delay_.usage(), delivered, now);
  double after = aimd_.target_bps();
  last_reason_ = after < before   ? RateReason::kDelayDecrease
                 : after > before ? RateReason::kIncrease
                                  : RateReason::kHold;
}

void BandwidthEstimator::on_rtt(Duration rtt, Instant) {
  aimd_.set_rtt(rtt);
  loss_.set_rtt(rtt);
}

void BandwidthEstimator::on_loss_report(double fraction, Instant now) {
  loss_.on_loss_report(fraction, now);
}

void BandwidthEstimator::set_bounds(int min_bps, int max_bps) {
  config_.min_bitrate_bps = min_bps;
  config_.max_bitrate_bps = std::max(min_bps, max_bps);
  aimd_.set_bounds(config_.min_bitrate_bps, config_.max_bitrate_bps);
}

void BandwidthEstimator::on_probe_result(double bps, Instant now) {
  if (in_outage(now) || delay_.usage() == BandwidthUsage::kOverusing) return;
  const double before = aimd_.target_bps();
  aimd_.raise_to(bps);
  if (aimd_.target_bps() > before) last_reason_ = RateReason::kProbe;
}

void BandwidthEstimator::cut_to(double bps, Instant now) {
  if (bps >= aimd_.target_bps()) return;
  aimd_.decrease_to(bps, recent_acked_.bitrate_bps(), now);
  last_reason_ = RateReason::kDelayDecrease;
}

bool BandwidthEstimator::in_outage(Instant now) const {
  return last_feedback_ && now - *last_feedback_ >= config_.outage_after;
}

BweEstimateState BandwidthEstimator::estimate_state(Instant now) const {
  BweEstimateState s;
  s.target_bps = target_bitrate_bps();
  s.rate_state = aimd_.state();
  s.outage = in_outage(now);
  s.last_reason = s.outage ? RateReason::kOutage : last_reason_;
  s.usage = delay_.usage();
  s.delay_trend = delay_.modified_trend();
  s.delay_threshold = delay_.threshold();
  s.standing_queue = delay_.standing_queue();
  s.loss_fraction = loss_.loss_fraction(now);
  if (auto a = acked_.bitrate_bps()) s.acknowledged_bps = static_cast<int>(*a);
  if (auto a = recent_acked_.bitrate_bps()) s.recent_acknowledged_bps = static_cast<int>(*a);
  if (auto c = aimd_.link_capacity_bps()) s.link_capacity_bps = static_cast<int>(*c);
  s.startup = aimd_.in_startup();
  s.feedback_reports = reports_;
  return s;
}

}  // namespace peercall
