#include "cc/bwe/loss_based_control.hpp"

#include <algorithm>

namespace peercall {
namespace {
constexpr Duration kRrValidity = seconds(5);
}

void LossBasedControl::on_report(const Counts& counts, Instant now) {
  if (counts.received + counts.lost == 0) return;
  samples_.push_back({now, counts});
  while (!samples_.empty() && now - samples_.front().at > config_.long_window) samples_.pop_front();
}

void LossBasedControl::on_loss_report(double fraction, Instant now) {
  rr_fraction_ = std::clamp(fraction, 0.0, 1.0);
  rr_at_ = now;
}

std::optional<double> LossBasedControl::fraction(Instant now, Duration window, size_t min_packets,
                                                 Kind kind) const {
  size_t received = 0, lost = 0;
  bool any_feedback = false;
  for (const Sample& s : samples_) {
    if (now - s.at > window) continue;
    any_feedback = true;
    const Counts& c = s.counts;
    switch (kind) {
      case Kind::kAll:
        received += c.received;
        lost += c.lost;
        break;
      case Kind::kRandom:
        if (c.queue_standing) break;
        received += c.received;
        lost += c.lost;
        break;
      case Kind::kFreshQueued:
        if (!c.queue_standing) break;
        [[fallthrough]];
      case Kind::kFresh:
        if (last_decision_ && s.at <= *last_decision_) break;  // evidence already used
        received += c.fresh_received;
        lost += c.fresh_lost;
        break;
    }
  }
  if (received + lost >= min_packets) {
    return static_cast<double>(lost) / static_cast<double>(received + lost);
  }
  // No feedback counts at all: fall back on the receiver report, if recent.
  bool rr_usable = rr_fraction_ && now - rr_at_ < kRrValidity &&
                   (kind == Kind::kAll || kind == Kind::kRandom || !last_decision_ ||
                    rr_at_ > *last_decision_);
  if (!any_feedback && rr_usable && kind != Kind::kFreshQueued) return rr_fraction_;
  return std::nullopt;
}

std::optional<double> LossBasedControl::loss_fraction(Instant now) const {
  return fraction(now, config_.long_window, config_.min_short_packets, Kind::kAll);
}

std::optional<double> LossBasedControl::random_loss_fraction(Instant now) const {
  return fraction(now, config_.long_window, config_.min_long_packets, Kind::kRandom);
}

std::optional<double> LossBasedControl::congestion_limit(bool delay_congested, double target,
                                                         std::optional<double> received,
                                                         Instant now) {
  if (last_decision_ && rtt_ && now - *last_decision_ < *rtt_ + config_.decision_interval_extra) {
    return std::nullopt;
  }
  std::optional<double> limit;
  std::optional<double> long_loss =
      fraction(now, config_.long_window, config_.min_long_packets, Kind::kFresh);
  // While the delay says congestion now, every fresh loss counts; otherwise
  // only the losses of reports whose packets met a standing queue.
  std::optional<double> short_loss =
      fraction(now, config_.short_window, config_.min_short_packets,
               delay_congested ? Kind::kFresh : Kind::kFreshQueued);
  if (short_loss && *short_loss >= config_.congestion_loss) {
    limit = target * (1 - *short_loss / 2);
    if (received) limit = std::min(*limit, config_.beta * *received);
  } else if (long_loss && *long_loss >= config_.very_high_loss) {
    limit = target * (1 - *long_loss / 2);
  }
  if (limit) last_decision_ = now;
  return limit;
}

}  // namespace peercall
