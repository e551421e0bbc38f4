#pragma once
// Counters a session keeps; the app turns two snapshots into rates.
#include <cstdint>
#include <optional>
#include <string>

#include "core/time.hpp"

namespace peercall {

struct OutgoingStreamStats {
  uint64_t packets = 0;
  uint64_t bytes = 0;  // RTP payload bytes
  uint64_t frames = 0;
  uint64_t keyframes = 0;
  uint64_t keyframe_requests_received = 0;
  // Loss recovery (video): NACK packets from the peer, the packets resent for
  // them (RTX), and those asked for but no longer kept.
  uint64_t nacks_received = 0;
  uint64_t packets_retransmitted = 0;
  uint64_t retransmitted_bytes = 0;
  uint64_t retransmit_unavailable = 0;
  // A keyframe makes what was sent before it useless to the decoder: packets
  // still queued then are dropped unsent, and NACKs for older ones are not
  // answered (a gap the receiver sees, so it is never a silent loss).
  uint64_t packets_superseded = 0;
  uint64_t retransmit_superseded = 0;
  // From the peer's receiver reports about this stream.
  double remote_fraction_lost = 0;
  int64_t remote_cumulative_lost = 0;
  // FlexFEC (video): repair packets sent, their RTP bytes, and the loss rate
  // the protection is sized for.
  uint64_t fec_packets_sent = 0;
  uint64_t fec_bytes_sent = 0;
  double fec_protection_loss = 0;
};

struct IncomingStreamStats {
  uint64_t packets = 0;
  uint64_t bytes = 0;
  uint64_t frames = 0;
  int64_t packets_lost = 0;  // before recovery (retransmissions are not counted as received)
  uint64_t packets_reordered = 0;
  uint64_t packets_duplicate = 0;
  uint64_t frames_lost = 0;  // after recovery: given up
  uint64_t packets_too_late = 0;  // arrived after a later one was already played
  uint64_t keyframe_requests_sent = 0;
  // Loss recovery (video): NACK packets sent and the sequence numbers they
  // asked for (re-asks included); missing packets that arrived later (by RTX
  // or late); those given up; RTX packets received; frames that were held
  // back for a retransmission and then delivered.
  uint64_t nacks_sent = 0;
  uint64_t packets_nacked = 0;
  uint64_t packets_recovered = 0;
  uint64_t packets_unrecovered = 0;
  uint64_t rtx_received = 0;
  uint64_t frames_waited = 0;
  double jitter_ms = 0;
  // FlexFEC (video): repair packets received, media packets rebuilt from them
  // (also counted in packets_recovered when NACK had asked for them), and
  // repair packets that expired with two or more of their packets missing.
  uint64_t fec_packets_received = 0;
  uint64_t packets_recovered_by_fec = 0;
  uint64_t fec_unrecoverable = 0;
};

// Transport-wide congestion control and pacing (zeros without transport-cc,
// except the pacer's figures: the pacer always runs).
struct CongestionStats {
  bool transport_cc = false;
  int target_bps = 0;        // the bandwidth estimate (audio + video + FEC + headers)
  int video_target_bps = 0;  // last TargetBitrate::video_bps
  std::optional<int> acknowledged_bps;  // what the peer's feedback says arrived
  std::string bwe_state = "off";  // rate control: increase / hold / decrease
  std::string bwe_reason = "start";  // why the last change (RateReason)
  bool bwe_outage = false;
  Duration standing_queue{};            // one-way delay above its recent minimum
  std::optional<double> feedback_loss;  // loss the feedback shows
  int64_t pacing_rate_bps = 0;
  Duration pacer_queue_delay{};  // the oldest queued packet's wait
  size_t pacer_queued_packets = 0;
  uint64_t collapse_dropped = 0;  // queued packets dropped at a capacity collapse (stale)
  uint64_t video_pauses = 0;      // collapses that paused the video while the queue drained
  uint64_t transport_feedback_sent = 0;
  uint64_t transport_feedback_received = 0;
};

struct SessionStats {
  OutgoingStreamStats video_out, audio_out;
  IncomingStreamStats video_in, audio_in;
  uint64_t datagrams_malformed = 0;   // dropped: unparsable or unknown
  uint64_t datagrams_unexpected = 0;  // dropped: well-formed, but not ours
  uint64_t rtcp_unknown_ssrc = 0;     // RTCP (BYE, PLI) naming a source we do not know: ignored
  std::optional<Duration> rtt;
  CongestionStats congestion;
};

}  // namespace peercall
