#include "cc/transport_feedback_generator.hpp"

namespace peercall {

std::optional<int64_t> TransportFeedbackGenerator::range_start() const {
  if (reported_end_) return reported_end_;
  if (pending_.empty()) return std::nullopt;
  return pending_.begin()->first;
}

void TransportFeedbackGenerator::on_packet(uint16_t transport_sequence, Instant arrival) {
  const int64_t seq = unwrapper_.unwrap(transport_sequence);
  last_arrival_ = arrival;
  if (const auto start = range_start()) {
    const int64_t jump = config_.max_sequence_jump;
    if (seq > *start + jump || seq < *start - jump) {
      // The sender restarted or skipped ahead: report what we have, then
      // continue from here as if the stream had just begun.
      if (!pending_.empty()) flush(ready_);
      reported_end_.reset();
      ++restarts_;
    }
  }
  if (reported_end_ && seq < *reported_end_) {
    ++late_packets_;  // a feedback already reported this number lost
    return;
  }
  if (pending_.empty()) oldest_pending_arrival_ = arrival;
  pending_.emplace(seq, arrival);
}

std::optional<Instant> TransportFeedbackGenerator::next_timeout() const {
  if (!ready_.empty() || pending_.size() >= config_.max_pending_packets) return last_arrival_;
  if (pending_.empty()) return std::nullopt;
  if (last_feedback_at_) return *last_feedback_at_ + config_.interval;
  return *oldest_pending_arrival_ + config_.interval;
}

std::vector<TransportFeedback> TransportFeedbackGenerator::poll(Instant now) {
  std::vector<TransportFeedback> out = std::move(ready_);
  ready_.clear();
  if (pending_.empty()) return out;
  const std::optional<Instant> due = next_timeout();
  if (due && *due <= now) {
    flush(out);
    last_feedback_at_ = now;
  }
  return out;
}

void TransportFeedbackGenerator::flush(std::vector<TransportFeedback>& out) {
  const int64_t first = *range_start();
  const int64_t last = pending_.rbegin()->first;
  std::vector<std::optional<int64_t>> arrivals(size_t(last - first + 1));
  for (const auto& [seq, arrival] : pending_) arrivals[size_t(seq - first)] = to_micros(arrival);
  TransportFeedbackBuildParams params;
  params.sender_ssrc = config_.sender_ssrc;
  params.media_ssrc = config_.media_ssrc;
  params.max_packet_bytes = config_.max_packet_bytes;
  for (TransportFeedback& fb :
       build_transport_feedback(params, uint16_t(first), arrivals, feedback_count_)) {
    out.push_back(std::move(fb));
  }
  reported_end_ = last + 1;
  pending_.clear();
  oldest_pending_arrival_.reset();
}

}  // namespace peercall
