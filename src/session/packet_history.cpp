#include "session/packet_history.hpp"

namespace peercall {

void PacketHistory::store(uint16_t sequence, Bytes packet, Instant now) {
  if (!entries_.empty() && uint16_t(entries_.back().sequence + 1) != sequence) {
    entries_.clear();  // not the next one: lookups by offset would be wrong
    bytes_ = 0;
  }
  bytes_ += packet.size();
  entries_.push_back({sequence, now, std::nullopt, std::move(packet)});
  evict(now);
}

PacketHistory::Lookup PacketHistory::resend(uint16_t sequence, Instant now, Duration min_interval) {
  evict(now);
  if (entries_.empty()) return {};
  const size_t index = uint16_t(sequence - entries_.front().sequence);
  if (index >= entries_.size()) return {};
  Entry& e = entries_[index];
  if (e.last_resent && now - *e.last_resent < min_interval) return {Status::kTooSoon, {}};
  e.last_resent = now;
  return {Status::kResend, e.packet};
}

void PacketHistory::evict(Instant now) {
  // The newest packet stays even if alone it exceeds the byte bound.
  while (entries_.size() > 1 && (bytes_ > max_bytes_ || now - entries_.front().sent > max_age_)) {
    bytes_ -= entries_.front().packet.size();
    entries_.pop_front();
  }
  if (!entries_.empty() && now - entries_.front().sent > max_age_) {
    bytes_ = 0;
    entries_.clear();
  }
}

}  // namespace peercall
