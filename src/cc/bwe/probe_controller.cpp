#include "cc/bwe/probe_controller.hpp"

#include <algorithm>

namespace peercall {

ProbeController::ProbeController(ProbeControllerConfig config, double max_bps)
    : config_(config), max_bps_(max_bps) {}

void ProbeController::on_estimate(double bps, Instant now) {
  estimate_ = bps;
  if (!started_) {
    started_ = true;
    if (config_.probe_at_start) further_bps_ = config_.initial_multiplier * bps;
    peak_ = bps;
    peak_at_ = now;
    return;
  }
  if (bps >= peak_ || now - peak_at_ > config_.drop_window) {
    peak_ = bps;
    peak_at_ = now;
    return;
  }
  if (bps < config_.drop_ratio * peak_ && !recovery_bps_ && now >= no_recovery_until_) {
    // A large drop: once it has settled, see whether the path came back.
    recovery_bps_ = config_.recovery_fraction * peak_;
    recovery_at_ = now + config_.recovery_delay;
    peak_ = bps;
    peak_at_ = now;
  }
}

bool ProbeController::application_limited() const {
  return send_bps_ && estimate_ > 0 && *send_bps_ < config_.alr_ratio * estimate_;
}

void ProbeController::on_probe_result(int id, double bps, Instant) {
  if (!outstanding_ || *outstanding_ != id) return;
  const double probed = outstanding_bps_;
  outstanding_.reset();
  // The path carried (most of) the cluster: there may be more; look further.
  if (bps >= config_.further_success * probed && probed < max_bps_) {
    further_bps_ = config_.further_multiplier * bps;
  }
}

std::optional<ProbeCluster> ProbeController::make(double bps, Instant now) {
  bps = std::min(bps, max_bps_);
  last_probe_ = now;  // also when not worth it: the periodic probe waits again
  if (bps < config_.min_gain * estimate_) return std::nullopt;
  ProbeCluster c;
  c.id = next_id_++;
  c.bps = bps;
  c.duration = config_.cluster_duration;
  c.min_packets = config_.cluster_min_packets;
  outstanding_ = c.id;
  outstanding_bps_ = bps;
  outstanding_at_ = now;
  return c;
}

std::optional<ProbeCluster> ProbeController::poll(Instant now) {
  if (!started_ || estimate_ >= max_bps_) return std::nullopt;
  if (outstanding_) {
    if (now - outstanding_at_ < config_.result_timeout) return std::nullopt;
    outstanding_.reset();  // no result: the probe told us nothing
  }
  if (further_bps_) {
    const double bps = *further_bps_;
    further_bps_.reset();
    if (auto c = make(bps, now)) return c;
  }
  if (recovery_bps_ && now >= recovery_at_) {
    const double bps = *recovery_bps_;
    recovery_bps_.reset();
    if (auto c = make(bps, now)) return c;
  }
  if (application_limited() && (!last_probe_ || now - *last_probe_ >= config_.alr_interval)) {
    return make(config_.alr_multiplier * estimate_, now);
  }
  return std::nullopt;
}

Instant ProbeController::next_timeout() const {
  if (!started_ || estimate_ >= max_bps_) return Instant::max();
  if (outstanding_) return outstanding_at_ + config_.result_timeout;
  if (further_bps_) return Instant{};
  Instant next = Instant::max();
  if (recovery_bps_) next = std::min(next, recovery_at_);
  if (application_limited()) next = std::min(next, last_probe_ ? *last_probe_ + config_.alr_interval : Instant{});
  return next;
}

}  // namespace peercall
