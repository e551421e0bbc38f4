#include "session/retransmitter.hpp"

#include <algorithm>

#include "rtp/rtx_packet.hpp"

namespace peercall {

Retransmitter::Retransmitter(const StreamConfig& config, const LossRecoveryConfig& recovery,
                             uint16_t first_rtx_sequence)
    : rtx_payload_type_(sent_rtx_payload_type(config)),
      rtx_ssrc_(config.local_rtx_ssrc),
      next_rtx_sequence_(first_rtx_sequence),
      history_(recovery.history_bytes, recovery.history_age) {}

void Retransmitter::remember(uint16_t sequence, Bytes packet, Instant now) {
  history_.store(sequence, std::move(packet), now);
}

void Retransmitter::on_nack(const GenericNack& nack, Instant now, Duration rtt,
                            std::deque<SessionOutput>& out, std::deque<SessionOutput>* second_copies) {
  if (!uses_rtx()) second_copies = nullptr;  // the same packet twice would be an SRTP replay
  ++stats_.nacks_received;
  const Duration min_interval = resend_interval(rtt);
  for (uint16_t sequence : nack.lost_sequence_numbers) {
    ++stats_.packets_requested;
    if (keyframe_start_ && int16_t(uint16_t(sequence - *keyframe_start_)) < 0) {
      ++stats_.packets_superseded;
      continue;
    }
    const PacketHistory::Lookup found = history_.resend(sequence, now, min_interval);
    if (found.status == PacketHistory::Status::kUnavailable) {
      ++stats_.packets_unavailable;
      continue;
    }
    if (found.status == PacketHistory::Status::kTooSoon) {
      ++stats_.packets_throttled;
      continue;
    }
    if (!uses_rtx()) {
      Transmit t;
      t.datagram.assign(found.packet.begin(), found.packet.end());
      ++stats_.packets_retransmitted;
      stats_.retransmitted_bytes += t.datagram.size();
      out.emplace_back(std::move(t));
      continue;
    }
    auto original = parse_rtp(found.packet);
    if (!original) {  // cannot happen: we wrote it
      ++stats_.packets_unavailable;
      continue;
    }
    for (std::deque<SessionOutput>* to : {&out, second_copies}) {
      if (!to) continue;
      Transmit t;
      write_rtx(*original, rtx_payload_type_, rtx_ssrc_, next_rtx_sequence_++, t.datagram);
      ++stats_.packets_retransmitted;
      stats_.retransmitted_bytes += t.datagram.size();
      to->emplace_back(std::move(t));
    }
  }
}

}  // namespace peercall
