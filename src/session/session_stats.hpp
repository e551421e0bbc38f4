#pragma once
// Counters a session keeps; the app turns two snapshots into rates.
#include <cstdint>
#include <optional>

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
  // From the peer's receiver reports about this stream.
  double remote_fraction_lost = 0;
  int64_t remote_cumulative_lost = 0;
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
};

struct SessionStats {
  OutgoingStreamStats video_out, audio_out;
  IncomingStreamStats video_in, audio_in;
  uint64_t datagrams_malformed = 0;   // dropped: unparsable or unknown
  uint64_t datagrams_unexpected = 0;  // dropped: well-formed, but not ours
  uint64_t rtcp_unknown_ssrc = 0;     // RTCP (BYE, PLI) naming a source we do not know: ignored
  std::optional<Duration> rtt;
};

}  // namespace peercall
