#include "cc/transport_feedback_adapter.hpp"

namespace peercall {
namespace {

int64_t floor_div(int64_t a, int64_t b) {
  const int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

int64_t sign_extend24(uint32_t v) { return int32_t(v << 8) >> 8; }

}  // namespace

int64_t TransportFeedbackAdapter::on_packet_sent(uint16_t transport_sequence, Instant send_time,
                                                 size_t size, bool retransmission,
                                                 std::optional<int> probe_cluster) {
  const int64_t seq = send_unwrapper_.unwrap(transport_sequence);
  if (auto old = history_.find(seq); old != history_.end()) forget(old);  // a reused number
  history_.emplace(seq, Sent{send_time, size, retransmission, probe_cluster, false, false});
  in_flight_bytes_ += size;
  prune(send_time);
  return seq;
}

void TransportFeedbackAdapter::forget(std::map<int64_t, Sent>::iterator it) {
  const Sent& s = it->second;
  if (!s.reported_received && !s.reported_lost) in_flight_bytes_ -= s.size;
  history_.erase(it);
}

void TransportFeedbackAdapter::prune(Instant now) {
  while (!history_.empty() && (history_.size() > config_.max_packets ||
                               history_.begin()->second.send_time + config_.max_age < now)) {
    forget(history_.begin());
  }
}

int64_t TransportFeedbackAdapter::unwrap_reference(int64_t reference_time_us) {
  const int64_t units = floor_div(reference_time_us, kTransportFeedbackReferenceUnitUs);
  if (!reference_units_) {
    reference_units_ = units;
  } else {
    const uint32_t raw_delta = uint32_t(units - *reference_units_) & 0xffffff;
    *reference_units_ += sign_extend24(raw_delta);
  }
  return *reference_units_;
}

std::optional<TransportFeedbackReport> TransportFeedbackAdapter::on_feedback(
    const TransportFeedback& feedback, Instant received_at) {
  if (last_feedback_count_) {
    const uint8_t gap = uint8_t(feedback.feedback_count - *last_feedback_count_);
    // A small forward gap means feedback went missing; anything else is a
    // repeat or reordering and moves nothing.
    if (gap >= 1 && gap < 128) {
      missed_feedbacks_ += gap - 1;
      last_feedback_count_ = feedback.feedback_count;
    }
  } else {
    last_feedback_count_ = feedback.feedback_count;
  }

  const int64_t reference_us = unwrap_reference(feedback.reference_time_us) *
                               kTransportFeedbackReferenceUnitUs;
  const std::optional<int64_t> last_sent = send_unwrapper_.last();
  if (!last_sent || feedback.statuses.empty()) return std::nullopt;
  // The base is the unwrapped sequence nearest to what we sent last.
  const int64_t base = *last_sent + int16_t(uint16_t(feedback.base_sequence - uint16_t(*last_sent)));

  TransportFeedbackReport report;
  report.received_at = received_at;
  auto it = history_.lower_bound(base);
  for (size_t i = 0; i < feedback.statuses.size() && it != history_.end(); ++i) {
    const int64_t seq = base + int64_t(i);
    // `it` is the first history entry at or after seq.
    if (it->first != seq) continue;  // not in history
    Sent& sent = it->second;
    const auto& offset = feedback.statuses[i].arrival_offset_us;
    const bool report_it = offset ? !sent.reported_received
                                  : !sent.reported_received && !sent.reported_lost;
    if (report_it) {
      if (!sent.reported_received && !sent.reported_lost) in_flight_bytes_ -= sent.size;
      PacketResult r;
      r.transport_sequence = seq;
      r.send_time = sent.send_time;
      r.size = sent.size;
      r.retransmission = sent.retransmission;
      r.probe_cluster = sent.probe_cluster;
      if (offset) {
        r.arrival = instant_from_micros(reference_us + *offset);
        sent.reported_received = true;
      } else {
        sent.reported_lost = true;
      }
      report.packets.push_back(r);
    }
    ++it;
  }
  if (report.packets.empty()) return std::nullopt;
  return report;
}

}  // namespace peercall
