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
// see the same bytes the receiver rebuilds (see peer_session.cpp); ULPFEC,
// whose receiver (libwebrtc's) XORs that extension too, protects the packets
// after they left (session/sent_frame_collector.hpp).
//
// Bandwidth probes (ProbeController): a due cluster is sent here, beside the
// pacer, at its own rate: padding-only packets on the video RTX SSRC fill
// what the media leaving meanwhile does not, until the cluster's bytes and
// packets are out. Every packet of the cluster (media too) is recorded with
// its id; the feedback for them gives the probed rate (ProbeBitrateEstimator),
// which raises the estimate. The controller numbers every packet leaving on
// an RTX SSRC itself (in place), so that padding and retransmissions share
// one increasing sequence (SRTP needs it) whoever wrote them.
#include <cstdint>
#include <deque>
#include <optional>
#include <vector>

#include "cc/bwe/bandwidth_estimator.hpp"
#include "cc/bwe/pacer.hpp"
#include "cc/bwe/probe_bitrate_estimator.hpp"
#include "cc/bwe/probe_controller.hpp"
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
  // Added to each RTP packet's size for the estimate: SRTP's tag (10), UDP
  // (8), IPv4 (20). The link carries them: an audio packet of ~120 bytes is
  // a third more on the wire, and a 300-kbit/s link measured as 207 kbit/s
  // of RTP left the estimate at 175 after the collapse pause (2 -> 0.3).
  static constexpr size_t kWireOverheadBytes = 38;
  // No recovery probe for the drops within this of a collapse (see note_collapse).
  static constexpr Duration kRecoverySkip = seconds(5);
  static constexpr double kReportChange = 0.05;
  static constexpr Duration kReportInterval = seconds(1);
  // A collapse: at a standing queue of at least kCollapseQueue, the estimate
  // fell below kCollapseShare of its highest within kCollapseWindow (one cut
  // or several), or the last ~200 ms of arrivals carried under kCollapseShare
  // of what we send (then the estimate drops to kCollapseBeta x that at once). Video pauses until the feedback shows the queue drained
  // (its standing delay, now measured on the audio that still flows, under
  // kDrainedQueue), or until the queue must have drained (forecast_drain:
  // the largest standing queue reported since the pause, at the link's rate
  // less the audio's), at most kMaxVideoPause, and not again within
  // kPauseInterval; no probe is sent meanwhile. A pause of a fixed length
  // guessed from the queue at the collapse alone was often too short: the
  // standing queue the feedback shows then lags the real one, and the
  // keyframe after the pause was lost in the full queue (another second to
  // repair). Waiting for the feedback to show the drain costs a round trip
  // through the reverse path's own full queue: 2 -> 0.3 Mbit/s, longest
  // freeze 667-921 ms in 9 of 10 runs with the forecast (1269 in one),
  // 762-1082 without.
  static constexpr double kCollapseShare = 0.5;
  static constexpr double kCollapseBeta = 0.85;  // of the recent received rate
  static constexpr Duration kCollapseWindow = seconds(1);
  static constexpr Duration kCollapseQueue = milliseconds(150);
  static constexpr Duration kDrainedQueue = milliseconds(60);
  // While paused, and for a round trip after, the estimate holds (what
  // arrives then is audio, and the queue's delay is being drained), except
  // that when the pause ends it goes down to kResumeShare x the rate the
  // queue was received at while it stayed at least kBusyQueue (the link busy
  // with it: that rate is the capacity), if that spans kBusySpan. Not
  // kCollapseBeta: the queue is empty by then, and the link also carries our
  // RTCP, which that rate leaves out.
  static constexpr Duration kBusyQueue = milliseconds(100);
  static constexpr Duration kBusySpan = milliseconds(150);
  static constexpr double kResumeShare = 0.95;
  static constexpr double kMinDrainShare = 0.5;  // of the link the queue drains at, at least
  static constexpr Duration kMaxVideoPause = milliseconds(800);
  static constexpr Duration kPauseInterval = seconds(5);

  // `rtx_ssrcs`: our RTX SSRCs (their packets are retransmissions, not media rate).
  CongestionController(const SessionConfig& config, std::vector<uint32_t> rtx_ssrcs,
                       uint16_t first_transport_sequence);

  bool enabled() const { return extension_id_ != 0; }

  void enqueue(Bytes packet, PacketPriority priority, Instant now);
  // Moves every packet due at `now` to `out` as a Transmit, stamped and recorded.
  void send_due(Instant now, std::deque<SessionOutput>& out);
  void clear();  // closing: what is still queued is not sent
  // A keyframe of these SSRCs (media, RTX, FEC) is about to be queued: what
  // they still have waiting is taken out unsent. How many packets.
  size_t drop_superseded(const std::vector<uint32_t>& ssrcs);

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
  // Repair bytes per video byte the estimate leaves room for (1: no limit
  // but the FEC policy's). Below 1 only when the video is held at its floor:
  // there the estimate's rest is all FEC may take, or repairs sized by the
  // loss of an overfull queue fill it further (a standing queue for as long
  // as the loss window remembers; issue 10's rate drop).
  double protection_budget() const { return protection_budget_; }
  void fill(CongestionStats& stats, Instant now) const;

  struct ProbeStats {
    bool enabled = false;
    int clusters_sent = 0;
    int results = 0;
    int raised = 0;  // results that raised the estimate
    uint64_t padding_packets = 0;
    uint64_t padding_bytes = 0;
    std::optional<double> last_result_bps;
  };
  const ProbeStats& probe_stats() const { return probe_stats_; }

  uint64_t collapse_dropped() const { return collapse_dropped_; }

 private:
  struct ActiveCluster {
    ProbeCluster cluster;
    Instant start{};
    size_t bytes = 0;    // sent in it so far, media included
    size_t packets = 0;
  };
  bool probing() const { return probe_ssrc_ != 0; }
  void record_sent(Bytes& packet, Instant now, bool padding);
  void send_probe(Instant now, std::deque<SessionOutput>& out);
  Instant next_probe_packet() const;

  static constexpr size_t kProbePacketPadding = 255;
  void note_collapse(int before_bps, Instant now);
  void note_draining_rate(const TransportFeedbackReport& report, Instant now);
  void note_drained(Instant now);
  void end_pause(Instant now);
  Duration forecast_drain() const;
  // The rate the full queue was received at in the pause, once it spans kBusySpan.
  std::optional<double> busy_rate_bps() const;
  Duration paused_queue_{};  // the largest standing queue reported since the pause
  std::optional<Duration> pending_pause_;
  std::optional<Instant> paused_since_;  // a pause the drain has not ended yet
  std::optional<Instant> resumed_at_;    // when the drain ended the last pause
  std::optional<Instant> busy_first_arrival_;  // of the queue draining in the pause (peer's clock)
  Instant busy_last_arrival_{};
  size_t busy_bytes_ = 0;
  Duration rtt_{};
  bool pending_resume_ = false;
  int recent_peak_bps_ = 0;
  Instant recent_peak_at_{};
  std::optional<Instant> last_pause_;
  uint64_t collapse_dropped_ = 0, video_pauses_ = 0;
  uint8_t extension_id_;
  std::vector<uint32_t> rtx_ssrcs_;
  uint16_t next_sequence_;
  Pacer pacer_;
  TransportFeedbackAdapter adapter_;
  BandwidthEstimator estimator_;
  LinkLossEstimator loss_;
  std::optional<TargetBitrate> last_target_;
  Instant last_target_at_{};
  double protection_budget_ = 1.0;
  uint64_t feedback_received_ = 0;
  // Probing (probe_ssrc_ 0: off).
  uint32_t probe_ssrc_ = 0;
  uint8_t probe_payload_type_ = 0;
  ProbeController probe_controller_;
  ProbeBitrateEstimator probe_estimator_;
  std::optional<ActiveCluster> cluster_;
  AcknowledgedBitrate media_send_rate_;  // what leaves the pacer, on our clock
  std::vector<std::pair<uint32_t, uint16_t>> rtx_sequences_;  // next number per RTX SSRC
  uint16_t first_rtx_sequence_;
  uint32_t probe_media_ssrc_ = 0;
  uint32_t last_timestamp_ = 0;  // of the last video packet: the padding's timestamp
  bool probe_started_ = false;
  ProbeStats probe_stats_;
};

}  // namespace peercall
