#include "cc/bwe/aimd_rate_control.hpp"

#include <algorithm>
#include <cmath>

namespace peercall {
namespace {
constexpr double kCapacitySmoothing = 0.05;
constexpr double kMinRelStd = 0.02;  // the capacity band is 3 std wide each side:
constexpr double kMaxRelStd = 0.035;  // 6 % to 10.5 % of the capacity
constexpr double kMinAdditiveBpsPerS = 4'000;
constexpr double kHeadroomSlackBps = 10'000;
constexpr double kFramesPerSecond = 30;
}  // namespace

AimdRateControl::AimdRateControl(AimdConfig config) : config_(config) {
  target_ = clamp(config_.start_bps);
}

double AimdRateControl::clamp(double bps) const {
  return std::clamp(bps, config_.min_bps, config_.max_bps);
}

void AimdRateControl::set_bounds(double min_bps, double max_bps) {
  config_.min_bps = min_bps;
  config_.max_bps = std::max(min_bps, max_bps);
  target_ = clamp(target_);
}

double AimdRateControl::capacity_upper() const {
  double std = std::clamp(std::sqrt(capacity_var_), kMinRelStd, kMaxRelStd);
  return *capacity_ * (1 + 3 * std);
}

double AimdRateControl::capacity_lower() const {
  double std = std::clamp(std::sqrt(capacity_var_), kMinRelStd, kMaxRelStd);
  return *capacity_ * (1 - 3 * std);
}

void AimdRateControl::update(BandwidthUsage usage, std::optional<double> acked, Instant now) {
  Duration dt = last_update_ ? std::clamp(now - *last_update_, Duration::zero(), config_.max_step)
                             : Duration::zero();
  last_update_ = now;
  // The network delivered more than the capacity we believed in: it grew.
  if (capacity_ && acked && *acked > capacity_upper()) {
    capacity_.reset();
    explore_time_ = Duration::zero();
  }
  switch (usage) {
    case BandwidthUsage::kOverusing:
      if (apply_decrease(config_.beta * acked.value_or(target_), acked, now)) {
        state_ = RateControlState::kDecrease;
      }
      return;
    case BandwidthUsage::kUnderusing:
      // Queues are draining: wait for them to empty before judging the rate.
      state_ = RateControlState::kHold;
      return;
    case BandwidthUsage::kNormal:
      state_ = state_ == RateControlState::kDecrease ? RateControlState::kHold
                                                     : RateControlState::kIncrease;
      break;
  }
  if (state_ == RateControlState::kIncrease) increase(dt, acked);
}

double AimdRateControl::additive_bps_per_s() const {
  // About one packet per response time; at low rates a frame is smaller than a
  // packet, so use the average packet of a frame.
  double frame_bits = target_ / kFramesPerSecond;
  double packets = std::max(1.0, std::ceil(frame_bits / config_.packet_bits));
  double packet_bits = frame_bits / packets;
  double response_s = to_seconds(rtt_ + milliseconds(100));
  return std::max(kMinAdditiveBpsPerS, packet_bits / response_s);
}

void AimdRateControl::increase(Duration dt, std::optional<double> acked) {
  double s = to_seconds(dt);
  double next = target_;
  if (startup_) {
    next = target_ * std::pow(config_.startup_growth_per_s, s);
  } else if (!capacity_) {
    explore_time_ += dt;
    double growth = std::min(config_.explore_max_growth_per_s,
                             config_.multiplicative_growth_per_s +
                                 config_.explore_acceleration_per_s * to_seconds(explore_time_));
    next = target_ * std::pow(growth, s);
  } else if (target_ < capacity_lower()) {
    next = target_ * std::pow(config_.multiplicative_growth_per_s, s);
    next = std::max(next, target_ + additive_bps_per_s() * s);
  } else {
    next = target_ + additive_bps_per_s() * s;
  }
  // Don't run ahead of what the network has shown it carries (an encoder that
  // sends less than asked would otherwise let the target climb unchecked).
  if (acked) {
    double cap = config_.acked_headroom * *acked + kHeadroomSlackBps;
    if (next > cap) next = std::max(target_, cap);
  }
  target_ = clamp(next);
}

bool AimdRateControl::apply_decrease(double new_bps, std::optional<double> acked, Instant now) {
  if (last_decrease_ && now - *last_decrease_ < config_.min_decrease_interval) return false;
  startup_ = false;
  explore_time_ = Duration::zero();
  if (acked) note_capacity(*acked);
  last_decrease_ = now;
  target_ = clamp(std::min(target_, new_bps));
  return true;
}

void AimdRateControl::decrease_to(double bps, std::optional<double> acked, Instant now) {
  if (apply_decrease(bps, acked, now)) state_ = RateControlState::kDecrease;
}

void AimdRateControl::raise_to(double bps) {
  bps = clamp(bps);
  if (bps <= target_) return;
  if (capacity_ && bps > capacity_upper()) {
    capacity_.reset();
    explore_time_ = Duration::zero();
  }
  target_ = bps;
}

void AimdRateControl::note_capacity(double acked) {
  if (!capacity_ || acked < capacity_lower() || acked > capacity_upper()) {
    // A different capacity than the one we knew: start the average over.
    capacity_ = acked;
    capacity_var_ = kMinRelStd * kMinRelStd;
    return;
  }
  double rel = (acked - *capacity_) / *capacity_;
  capacity_ = (1 - kCapacitySmoothing) * *capacity_ + kCapacitySmoothing * acked;
  capacity_var_ = (1 - kCapacitySmoothing) * capacity_var_ + kCapacitySmoothing * rel * rel;
}

}  // namespace peercall
