#include "cc/bwe/pacer.hpp"

#include <algorithm>

namespace peercall {
namespace {
constexpr int64_t kMinRateBps = 10'000;
size_t index(PacketPriority p) { return static_cast<size_t>(p); }
}  // namespace

Pacer::Pacer(PacerConfig config)
    : config_(config), pacing_rate_bps_(std::max(kMinRateBps, config.initial_rate_bps)) {
  budget_bytes_ = burst_bytes();
}

void Pacer::set_pacing_rate(int64_t bps) {
  pacing_rate_bps_ = std::max(kMinRateBps, bps);
  // What was banked at a higher rate must not become a larger burst at this one.
  budget_bytes_ = std::min(budget_bytes_, burst_bytes());
}

double Pacer::effective_rate_bps() const {
  return std::max(static_cast<double>(pacing_rate_bps_), raised_rate_bps_);
}

double Pacer::burst_bytes() const {
  return effective_rate_bps() / 8.0 * to_seconds(config_.burst);
}

bool Pacer::paced_empty() const {
  return queues_[1].empty() && queues_[2].empty() && queues_[3].empty();
}

bool Pacer::empty() const { return queues_[0].empty() && paced_empty(); }

void Pacer::refill(Instant now) {
  if (!last_refill_) last_refill_ = now;
  if (now <= *last_refill_) return;
  budget_bytes_ += effective_rate_bps() / 8.0 * to_seconds(now - *last_refill_);
  // Idle time does not bank more than the burst allowance.
  budget_bytes_ = std::min(budget_bytes_, burst_bytes());
  last_refill_ = now;
}

void Pacer::enqueue(Bytes packet, PacketPriority priority, Instant now) {
  refill(now);
  size_t size = packet.size();
  queues_[index(priority)].push_back({std::move(packet), now});
  if (priority == PacketPriority::kAudio) {
    audio_bytes_ += size;
    return;
  }
  paced_bytes_ += size;
  double needed = static_cast<double>(paced_bytes_) * 8.0 / to_seconds(config_.max_queue_time);
  if (needed > effective_rate_bps()) {
    if (raised_rate_bps_ == 0) ++rate_raises_;
    raised_rate_bps_ = needed;
  }
}

std::optional<Bytes> Pacer::poll(Instant now) {
  refill(now);
  std::deque<Queued>* queue = nullptr;
  if (!queues_[0].empty()) {
    queue = &queues_[0];
  } else if (budget_bytes_ > 0) {
    for (size_t i = 1; i < queues_.size() && !queue; ++i) {
      if (!queues_[i].empty()) queue = &queues_[i];
    }
  }
  if (!queue) return std::nullopt;
  Bytes packet = std::move(queue->front().packet);
  queue->pop_front();
  if (queue == &queues_[0]) {
    audio_bytes_ -= packet.size();
  } else {
    paced_bytes_ -= packet.size();
  }
  budget_bytes_ -= static_cast<double>(packet.size());
  if (paced_empty()) raised_rate_bps_ = 0;
  ++sent_packets_;
  sent_bytes_ += static_cast<int64_t>(packet.size());
  return packet;
}

Instant Pacer::next_send_time() const {
  if (!queues_[0].empty()) return queues_[0].front().enqueued;
  if (paced_empty()) return Instant::max();
  Instant base = last_refill_.value_or(Instant{});
  if (budget_bytes_ > 0) return base;
  double wait_s = -budget_bytes_ * 8.0 / effective_rate_bps();
  // Round up so that polling at this instant finds a positive budget.
  return base + std::chrono::duration_cast<Duration>(std::chrono::duration<double>(wait_s)) +
         microseconds(1);
}

Duration Pacer::queue_delay(Instant now) const {
  Duration oldest{};
  for (const auto& q : queues_) {
    if (!q.empty()) oldest = std::max(oldest, now - q.front().enqueued);
  }
  return oldest;
}

size_t Pacer::drop_queued(PacketPriority priority, const std::function<bool(ByteView)>& which) {
  std::deque<Queued>& queue = queues_[index(priority)];
  size_t dropped = 0;
  for (auto it = queue.begin(); it != queue.end();) {
    if (!which(it->packet)) {
      ++it;
      continue;
    }
    (priority == PacketPriority::kAudio ? audio_bytes_ : paced_bytes_) -= it->packet.size();
    it = queue.erase(it);
    ++dropped;
  }
  if (paced_empty()) raised_rate_bps_ = 0;
  dropped_packets_ += static_cast<int64_t>(dropped);
  return dropped;
}

PacerStats Pacer::stats(Instant now) const {
  PacerStats s;
  for (const auto& q : queues_) s.queued_packets += q.size();
  s.queued_bytes = paced_bytes_ + audio_bytes_;
  s.oldest_wait = queue_delay(now);
  s.expected_queue_time = std::chrono::duration_cast<Duration>(
      std::chrono::duration<double>(static_cast<double>(paced_bytes_) * 8.0 / effective_rate_bps()));
  s.pacing_rate_bps = pacing_rate_bps_;
  s.effective_rate_bps = static_cast<int64_t>(effective_rate_bps());
  s.sent_packets = sent_packets_;
  s.sent_bytes = sent_bytes_;
  s.rate_raises = rate_raises_;
  s.dropped_packets = dropped_packets_;
  return s;
}

}  // namespace peercall
