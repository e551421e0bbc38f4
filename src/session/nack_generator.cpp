#include "session/nack_generator.hpp"

#include <algorithm>

namespace peercall {

void NackGenerator::on_packet(int64_t sequence, Instant now) {
  if (!highest_) {
    highest_ = sequence;
    return;
  }
  if (sequence <= *highest_) {
    if (missing_.erase(sequence) > 0) ++stats_.packets_recovered;
    return;
  }
  const int64_t gap = sequence - *highest_ - 1;
  if (gap > kMaxGap) {
    ++stats_.gaps_too_large;
    missing_.clear();  // older losses are past saving too
  } else {
    for (int64_t s = *highest_ + 1; s < sequence; ++s) missing_.emplace(s, Missing{now, {}, 0});
    while (missing_.size() > kMaxMissing) {
      missing_.erase(missing_.begin());
      ++stats_.packets_given_up;
    }
  }
  highest_ = sequence;
}

void NackGenerator::forget_before(int64_t sequence) {
  while (!missing_.empty() && missing_.begin()->first < sequence) {
    missing_.erase(missing_.begin());
    ++stats_.packets_given_up;
  }
}

// When `m` may be asked for (again): right away the first time, then one
// renack_interval after the last ask; never after its tries are spent or so
// late that the retransmission would miss the deadline.
std::optional<Instant> NackGenerator::next_ask(const Missing& m, Duration rtt) const {
  if (m.tries >= config_.max_nack_tries) return std::nullopt;
  const Instant at = m.last_sent ? *m.last_sent + renack_interval(config_, rtt) : m.detected;
  if (at + rtt > m.detected + recovery_wait(config_, rtt)) return std::nullopt;
  return at;
}

std::vector<uint16_t> NackGenerator::take_due(Instant now, Duration rtt) {
  std::vector<uint16_t> due;
  const Duration wait = recovery_wait(config_, rtt);
  for (auto it = missing_.begin(); it != missing_.end();) {
    Missing& m = it->second;
    if (now >= m.detected + wait) {
      ++stats_.packets_given_up;
      it = missing_.erase(it);
      continue;
    }
    if (const auto ask = next_ask(m, rtt); ask && *ask <= now) {
      if (now + rtt <= m.detected + wait) {
        m.last_sent = now;
        ++m.tries;
        due.push_back(static_cast<uint16_t>(it->first));
      } else {
        m.tries = config_.max_nack_tries;  // asked too late to help: only wait now
      }
    }
    ++it;
  }
  if (!due.empty()) {
    ++stats_.nacks_sent;
    stats_.packets_nacked += due.size();
  }
  return due;
}

std::optional<Instant> NackGenerator::next_timeout(Duration rtt) const {
  std::optional<Instant> next;
  const Duration wait = recovery_wait(config_, rtt);
  for (const auto& [sequence, m] : missing_) {
    Instant at = m.detected + wait;
    if (const auto ask = next_ask(m, rtt)) at = std::min(at, *ask);
    next = next ? std::min(*next, at) : at;
  }
  return next;
}

}  // namespace peercall
