#include "impaired_direction.hpp"

#include <algorithm>
#include <cmath>

namespace peercall::netsim {

ImpairedDirection::ImpairedDirection(const LinkSettings& settings, uint64_t seed)
    : settings_(settings), random_(seed) {
  bursty_.configure(settings_.bursty);
}

void ImpairedDirection::apply(const Change& change, Instant now) {
  drain_queue(now);  // what happened before `now` happened under the old settings
  switch (change.key) {
    case Change::Key::down:
      down_from_ = now;
      down_until_ = change.forever ? Instant::max() : now + change.duration;
      break;
    case Change::Key::up:
      if (is_down(now)) down_until_ = now;
      break;
    default:
      apply_setting(settings_, change);
      bursty_.configure(settings_.bursty);
      break;
  }
}

Duration ImpairedDirection::transmission_time(size_t bytes) const {
  if (settings_.rate_kbps <= 0) return Duration(0);
  // bits / (kbit/s) = ms; in nanoseconds to keep rounding below a microsecond
  double ns = static_cast<double>(bytes) * 8.0 * 1e6 / static_cast<double>(settings_.rate_kbps);
  return std::chrono::duration_cast<Duration>(std::chrono::nanoseconds(std::llround(ns)));
}

bool ImpairedDirection::queue_full(size_t bytes, Instant now) const {
  if (queue_.empty()) return false;  // an idle link always takes the packet
  if (!settings_.queue.by_time)
    return static_cast<int64_t>(queue_bytes_ + bytes) > settings_.queue.bytes;
  // The wait this packet would see: the rest of the head, then everything behind it.
  Duration wait = (head_finish_ - now) + transmission_time(queue_bytes_ - queue_.front().bytes.size());
  return wait > settings_.queue.time;
}

void ImpairedDirection::start_head(Instant start) {
  Waiting& head = queue_.front();
  counters_.max_queue_delay = std::max(counters_.max_queue_delay, start - head.arrived);
  head_finish_ = start + transmission_time(head.bytes.size());
}

void ImpairedDirection::drain_queue(Instant now) {
  while (!queue_.empty() && head_finish_ <= now) {
    Instant finished = head_finish_;
    Bytes bytes = std::move(queue_.front().bytes);
    queue_bytes_ -= bytes.size();
    queue_.pop_front();
    if (!queue_.empty()) start_head(finished);
    propagate(std::move(bytes), finished);
  }
}

Duration ImpairedDirection::jitter_sample() {
  if (settings_.jitter.count() <= 0) return Duration(0);
  double j = static_cast<double>(settings_.jitter.count());
  double offset = settings_.distribution == JitterDistribution::normal
                      ? random_.normal() * j
                      : (random_.uniform() * 2 - 1) * j;
  return Duration(static_cast<Duration::rep>(std::llround(offset)));
}

void ImpairedDirection::propagate(Bytes bytes, Instant left_queue) {
  Duration delay = settings_.delay + jitter_sample();
  Instant due = left_queue + std::max(delay, Duration(0));
  if (!settings_.reorder) {
    due = std::max(due, last_due_);
    last_due_ = due;
  }
  in_flight_.push(InFlight{due, next_order_++, std::move(bytes)});
}

void ImpairedDirection::enqueue(Bytes packet, Instant now) {
  drain_queue(now);
  counters_.packets_in++;
  counters_.bytes_in += packet.size();
  if (is_down(now)) {
    counters_.dropped_outage++;
    return;
  }
  bool lost = bursty_.lose(random_);  // steps the chain for every packet
  if (random_.chance(settings_.loss)) lost = true;
  if (lost) {
    counters_.dropped_loss++;
    return;
  }
  if (settings_.rate_kbps <= 0 && queue_.empty()) {
    propagate(std::move(packet), now);
    return;
  }
  if (queue_full(packet.size(), now)) {
    counters_.dropped_queue++;
    return;
  }
  queue_bytes_ += packet.size();
  queue_.push_back(Waiting{std::move(packet), now});
  if (queue_.size() == 1) start_head(now);
}

std::vector<DuePacket> ImpairedDirection::poll(Instant now) {
  drain_queue(now);
  std::vector<DuePacket> out;
  while (!in_flight_.empty() && in_flight_.top().due <= now) {
    // priority_queue::top is const; the packet is moved out just before pop.
    InFlight& top = const_cast<InFlight&>(in_flight_.top());
    Instant due = top.due;
    Bytes bytes = std::move(top.bytes);
    in_flight_.pop();
    if (is_down(due)) {
      counters_.dropped_outage++;
      continue;
    }
    counters_.packets_out++;
    counters_.bytes_out += bytes.size();
    out.push_back(DuePacket{std::move(bytes), due});
  }
  return out;
}

std::optional<Instant> ImpairedDirection::next_wakeup() const {
  std::optional<Instant> next;
  if (!queue_.empty()) next = head_finish_;
  if (!in_flight_.empty() && (!next || in_flight_.top().due < *next)) next = in_flight_.top().due;
  return next;
}

}  // namespace peercall::netsim
