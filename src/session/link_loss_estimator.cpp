#include "session/link_loss_estimator.hpp"

#include <algorithm>
#include <cmath>

namespace peercall {

void LinkLossEstimator::on_feedback(const TransportFeedbackReport& report) {
  for (const PacketResult& p : report.packets) {
    if (ignore_sent_before_ && p.send_time < *ignore_sent_before_) continue;
    const bool lost = !p.arrival.has_value();
    if (lost) {
      ++lost_;
      if (outcomes_.empty() || !outcomes_.back()) ++runs_;
    }
    outcomes_.push_back(lost);
    while (outcomes_.size() > window_) {
      const bool front = outcomes_.front();
      outcomes_.pop_front();
      if (!front) continue;
      --lost_;
      // The run that started at the front ends here unless the next one is lost too.
      if (outcomes_.empty() || !outcomes_.front()) --runs_;
    }
  }
}

void LinkLossEstimator::restart(Instant now) {
  outcomes_.clear();
  lost_ = runs_ = 0;
  reported_.reset();  // a receiver report's fraction still covers the overflow
  ignore_sent_before_ = now;
}

void LinkLossEstimator::on_fraction_lost(double fraction) {
  fraction = std::clamp(fraction, 0.0, 1.0);
  reported_ = reported_ ? 0.7 * *reported_ + 0.3 * fraction : fraction;
}

double LinkLossEstimator::loss_rate() const {
  if (!outcomes_.empty()) return double(lost_) / double(outcomes_.size());
  return reported_.value_or(0.0);
}

size_t LinkLossEstimator::burst_length() const {
  if (runs_ == 0) return 1;
  return std::max<size_t>(1, size_t(std::lround(double(lost_) / double(runs_))));
}

}  // namespace peercall
