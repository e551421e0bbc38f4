#pragma once
// Answers the peer's generic NACKs (RFC 4585 6.2.1) for one send stream from
// its packet history: each named packet still kept is resent as RTX (RFC 4588:
// own SSRC, payload type and sequence numbers) or, when no RTX stream was
// negotiated, as the original packet again. A packet is resent at most once
// per resend_interval(RTT), however many NACKs name it.
#include <cstdint>
#include <deque>
#include <optional>

#include "rtp/rtcp_packet.hpp"
#include "session/loss_recovery_timing.hpp"
#include "session/packet_history.hpp"
#include "session/session_config.hpp"
#include "session/session_events.hpp"

namespace peercall {

struct RetransmitterStats {
  uint64_t nacks_received = 0;          // NACK packets naming this stream
  uint64_t packets_requested = 0;       // sequence numbers they named
  uint64_t packets_retransmitted = 0;   // copies included
  uint64_t retransmitted_bytes = 0;     // whole RTP packets resent
  uint64_t packets_unavailable = 0;     // asked for, but no longer (or never) kept
  uint64_t packets_throttled = 0;       // asked for again too soon: not resent
  uint64_t packets_superseded = 0;      // asked for, but from before the last keyframe: not resent
};

class Retransmitter {
 public:
  Retransmitter(const StreamConfig& config, const LossRecoveryConfig& recovery,
                uint16_t first_rtx_sequence);

  // Every RTP packet of the stream as sent (plain, before SRTP).
  void remember(uint16_t sequence, Bytes packet, Instant now);
  // Queues the retransmissions one NACK asks for in `out`. With
  // `second_copies` (RTX only: each copy has its own RTX sequence number, so
  // SRTP replay protection keeps one), a second copy of each goes there, for
  // the caller to send a little later: on a lossy path a lost retransmission
  // costs another round trip, a second copy a few packets per loss, and
  // losses come in bursts, so two copies back to back would often share one.
  void on_nack(const GenericNack& nack, Instant now, Duration rtt, std::deque<SessionOutput>& out,
               std::deque<SessionOutput>* second_copies = nullptr);

  // A keyframe starts at `sequence`: nothing before it is needed to decode
  // what follows, so NACKs for older packets are not answered (on a
  // congested link those resends would only delay the keyframe).
  void supersede_before(uint16_t sequence) { keyframe_start_ = sequence; }

  bool uses_rtx() const { return rtx_payload_type_ != 0 && rtx_ssrc_ != 0; }
  uint32_t rtx_ssrc() const { return rtx_ssrc_; }
  const RetransmitterStats& stats() const { return stats_; }

 private:
  uint8_t rtx_payload_type_;
  uint32_t rtx_ssrc_;
  uint16_t next_rtx_sequence_;
  PacketHistory history_;
  std::optional<uint16_t> keyframe_start_;
  RetransmitterStats stats_;
};

}  // namespace peercall
