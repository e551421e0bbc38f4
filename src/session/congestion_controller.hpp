#pragma once
// The send side of congestion control for one session. Every outgoing media
// RTP packet (audio, video, RTX, FEC) goes through the pacer; as a packet
// leaves it gets the next transport-wide sequence number (when negotiated)
// and is recorded in the feedback adapter with its send instant and size.
// The peer's TransportFeedback drives the bandwidth estimator, whose target
// sets the pacing rate (2.5 x target) and the TargetBitrate the encoders
// follow. Without transport-cc the pacer still runs, at 2.5 x the maximum
// bitrate, and there is no estimate. Sans-I/O.
//
// Packets are paced as written by the send streams: without the extension.
// It is added when the packet leaves, so the packet history and FlexFEC
// see the same bytes the receiver rebuilds (see peer_session.cpp).
#include <cstdint>
#include <deque>
#include <optional>
#include <vector>

#include "cc/bwe/bandwidth_estimator.hpp"
#include "cc/bwe/pacer.hpp"
#include "cc/transport_feedback_adapter.hpp"
#include "session/link_loss_estimator.hpp"
#include "session/session_config.hpp"
#include "session/session_events.hpp"
#include "session/session_stats.hpp"

namespace peercall {

// The transport-wide sequence number `sequence` as extension `id` of an RTP
// packet: overwritten in place if the packet carries it, else the packet is
// rewritten with it (the packets we write carry no other extension).
bool stamp_transport_sequence(Bytes& packet, uint8_t id, uint16_t sequence);

class CongestionController {
 public:
  static constexpr double kPacingFactor = 2.5;
  static constexpr int kAudioBps = 40'000;       // Opus plus its headers
  static constexpr int kMinVideoBps = 100'000;
  static constexpr double kHeaderOverhead = 0.05;  // RTP/SRTP/UDP/IP on ~1200-byte packets
  static constexpr double kReportChange = 0.05;
  static constexpr Duration kReportInterval = seconds(1);

  // `rtx_ssrcs`: our RTX SSRCs (their packets are retransmissions, not media rate).
  CongestionController(const SessionConfig& config, std::vector<uint32_t> rtx_ssrcs,
                       uint16_t first_transport_sequence);

  bool enabled() const { return extension_id_ != 0; }

  void enqueue(Bytes packet, PacketPriority priority, Instant now);
  // Moves every packet due at `now` to `out` as a Transmit, stamped and recorded.
  void send_due(Instant now, std::deque<SessionOutput>& out);
  void clear();  // closing: what is still queued is not sent

  // True when the feedback said something new (the estimate may have moved).
  bool on_feedback(const TransportFeedback& feedback, Instant now);
  void on_rtt(Duration rtt, Instant now);
  void on_fraction_lost(double fraction, Instant now);

  // A TargetBitrate when due: the estimate moved by more than 5% since the
  // last one, or a second passed (the first one at once). `audio` says
  // whether an audio stream sends; `protection` is FEC + RTX bytes per video byte.
  std::optional<TargetBitrate> take_target(Instant now, bool audio, double protection);

  // The path loses packets (>= `loss`) but shows no queue building: random
  // loss, where redundancy pays, not congestion, where it adds to the queue.
  // Always false without transport-cc.
  bool lossy_not_congested(double loss, Instant now) const;

  Instant next_timeout() const;
  const LinkLossEstimator& loss() const { return loss_; }
  void fill(CongestionStats& stats, Instant now) const;

 private:
  uint8_t extension_id_;
  std::vector<uint32_t> rtx_ssrcs_;
  uint16_t next_sequence_;
  Pacer pacer_;
  TransportFeedbackAdapter adapter_;
  BandwidthEstimator estimator_;
  LinkLossEstimator loss_;
  std::optional<TargetBitrate> last_target_;
  Instant last_target_at_{};
  uint64_t feedback_received_ = 0;
};

}  // namespace peercall
