#include "session/congestion_controller.hpp"

#include <algorithm>
#include <cmath>

#include "rtp/rtp_header_extensions.hpp"
#include "rtp/rtp_packet.hpp"
#include "rtp/rtx_packet.hpp"

namespace peercall {
namespace {

BandwidthEstimatorConfig estimator_config(const SessionConfig& c) {
  BandwidthEstimatorConfig e;
  e.min_bitrate_bps = c.min_bitrate_bps;
  e.max_bitrate_bps = c.max_bitrate_bps;
  e.start_bitrate_bps = std::clamp(c.start_bitrate_bps, c.min_bitrate_bps, c.max_bitrate_bps);
  return e;
}

PacerConfig pacer_config(const SessionConfig& c) {
  PacerConfig p;
  const int rate = c.transport_cc_extension_id != 0 ? c.start_bitrate_bps : c.max_bitrate_bps;
  p.initial_rate_bps = static_cast<int64_t>(CongestionController::kPacingFactor * rate);
  return p;
}

// The video stream whose RTX SSRC carries our probes' padding, if any.
const StreamConfig* probe_stream(const SessionConfig& c) {
  if (!c.bandwidth_probing || c.transport_cc_extension_id == 0) return nullptr;
  for (const StreamConfig& s : c.streams)
    if (s.send && s.kind == MediaKind::kVideo && sent_rtx_payload_type(s) != 0 && s.local_rtx_ssrc != 0)
      return &s;
  return nullptr;
}

bool differs(int a, int b) { return std::abs(a - b) > CongestionController::kReportChange * b; }

const char* to_text(RateControlState s) {
  switch (s) {
    case RateControlState::kHold: return "hold";
    case RateControlState::kIncrease: return "increase";
    case RateControlState::kDecrease: return "decrease";
  }
  return "?";
}

}  // namespace

bool stamp_transport_sequence(Bytes& packet, uint8_t id, uint16_t sequence) {
  const auto value = encode_transport_sequence(sequence);
  if (set_extension_in_place(packet, id, value)) return true;
  auto parsed = parse_rtp(packet);
  if (!parsed) return false;
  Bytes rewritten;
  rewritten.reserve(packet.size() + 8);
  write_rtp_with_extensions(parsed->header, {HeaderExtension{id, ByteView(value.data(), value.size())}},
                            parsed->payload, rewritten);
  packet = std::move(rewritten);
  return true;
}

CongestionController::CongestionController(const SessionConfig& config,
                                           std::vector<uint32_t> rtx_ssrcs,
                                           uint16_t first_transport_sequence)
    : extension_id_(config.transport_cc_extension_id),
      rtx_ssrcs_(std::move(rtx_ssrcs)),
      next_sequence_(first_transport_sequence),
      pacer_(pacer_config(config)),
      estimator_(estimator_config(config)),
      probe_controller_(ProbeControllerConfig{}, config.max_bitrate_bps),
      media_send_rate_(milliseconds(500), milliseconds(200)),
      first_rtx_sequence_(uint16_t(first_transport_sequence * 31u + 0x2c5bu)) {
  if (const StreamConfig* video = probe_stream(config)) {
    probe_ssrc_ = video->local_rtx_ssrc;
    probe_payload_type_ = sent_rtx_payload_type(*video);
    probe_media_ssrc_ = video->local_ssrc;
  }
  for (size_t i = 0; i < rtx_ssrcs_.size(); ++i)
    rtx_sequences_.emplace_back(rtx_ssrcs_[i], uint16_t(first_rtx_sequence_ + i * 0x1000));
}

void CongestionController::enqueue(Bytes packet, PacketPriority priority, Instant now) {
  pacer_.enqueue(std::move(packet), priority, now);
}

void CongestionController::record_sent(Bytes& packet, Instant now, bool padding) {
  if (!enabled()) return;
  const uint32_t ssrc = peek_rtp_ssrc(packet);
  const bool rtx = std::ranges::find(rtx_ssrcs_, ssrc) != rtx_ssrcs_.end();
  if (probing()) {
    if (rtx) {
      for (auto& [rtx_ssrc, next] : rtx_sequences_) {
        if (rtx_ssrc != ssrc) continue;
        packet[2] = uint8_t(next >> 8);
        packet[3] = uint8_t(next);
        ++next;
      }
    }
    if (ssrc == probe_media_ssrc_ && packet.size() >= kRtpHeaderSize) last_timestamp_ = peek_rtp_timestamp(packet);
  }
  const uint16_t sequence = next_sequence_;
  if (!stamp_transport_sequence(packet, extension_id_, sequence)) return;
  ++next_sequence_;
  // What the link carries: the estimate, the probes and the collapse's
  // rates are all in bytes on the wire.
  const size_t wire_size = packet.size() + kWireOverheadBytes;
  std::optional<int> cluster;
  if (cluster_) {
    cluster = cluster_->cluster.id;
    cluster_->bytes += wire_size;
    ++cluster_->packets;
  }
  adapter_.on_packet_sent(sequence, now, wire_size, rtx || padding, cluster);
  if (!padding) media_send_rate_.on_packet(now, wire_size);
}

void CongestionController::send_due(Instant now, std::deque<SessionOutput>& out) {
  while (auto packet = pacer_.poll(now)) {
    record_sent(*packet, now, false);
    out.emplace_back(Transmit{std::move(*packet)});
  }
  if (probing()) send_probe(now, out);
}

Instant CongestionController::next_probe_packet() const {
  // The cluster's bytes so far at its rate: when the next packet is due.
  const double seconds_in = double(cluster_->bytes) * 8 / cluster_->cluster.bps;
  return cluster_->start + std::chrono::duration_cast<Duration>(std::chrono::duration<double>(seconds_in));
}

void CongestionController::send_probe(Instant now, std::deque<SessionOutput>& out) {
  if (!cluster_) {
    // While the video waits for a collapsed queue to drain, padding would refill it.
    if (paused_since_ && now - *paused_since_ < kMaxVideoPause) return;
    if (!probe_started_) {
      probe_started_ = true;
      probe_controller_.on_estimate(estimator_.target_bitrate_bps(), now);
    }
    probe_controller_.on_send_rate(media_send_rate_.bitrate_bps());
    std::optional<ProbeCluster> due = probe_controller_.poll(now);
    if (!due) return;
    cluster_ = ActiveCluster{*due, now};
    ++probe_stats_.clusters_sent;
  }
  while (cluster_ && next_probe_packet() <= now) {
    if (cluster_->bytes >= cluster_->cluster.bytes() && cluster_->packets >= cluster_->cluster.min_packets) {
      probe_estimator_.on_cluster_sent(cluster_->cluster.id, cluster_->packets, now);
      cluster_.reset();
      break;
    }
    RtpHeader header;
    header.payload_type = probe_payload_type_;
    header.ssrc = probe_ssrc_;
    header.timestamp = last_timestamp_;
    const auto placeholder = encode_transport_sequence(0);
    Bytes padding;
    write_padding_only(header, {HeaderExtension{extension_id_, ByteView(placeholder.data(), placeholder.size())}},
                       kProbePacketPadding, padding);
    record_sent(padding, now, true);
    ++probe_stats_.padding_packets;
    probe_stats_.padding_bytes += padding.size();
    out.emplace_back(Transmit{std::move(padding)});
  }
}

size_t CongestionController::drop_superseded(const std::vector<uint32_t>& ssrcs) {
  auto of_stream = [&](ByteView packet) {
    return packet.size() >= kRtpHeaderSize && std::ranges::find(ssrcs, peek_rtp_ssrc(packet)) != ssrcs.end();
  };
  return pacer_.drop_queued(PacketPriority::kVideo, of_stream) +
         pacer_.drop_queued(PacketPriority::kRetransmission, of_stream);
}

void CongestionController::clear() {
  pacer_ = Pacer(PacerConfig{});
  cluster_.reset();
  probe_ssrc_ = 0;  // closing: no more probes either
}

bool CongestionController::on_feedback(const TransportFeedback& feedback, Instant now) {
  if (!enabled()) return false;
  ++feedback_received_;
  auto report = adapter_.on_feedback(feedback, now);
  if (!report) return false;
  const int before = estimator_.target_bitrate_bps();
  const bool draining = paused_since_.has_value() && now - *paused_since_ < kMaxVideoPause;
  // Held a round trip past the drain too: the losses and delays of what was
  // queued before the pause are still being reported (cut on, they took the
  // estimate from 213 to 165 kbit/s the moment the pause ended).
  estimator_.hold(draining || (resumed_at_ && now < *resumed_at_ + rtt_ + kBusyQueue));
  estimator_.on_feedback(*report);
  if (draining) note_draining_rate(*report, now);
  note_collapse(before, now);
  note_drained(now);
  if (probing()) {
    for (const ProbeResult& r : probe_estimator_.on_feedback(*report)) {
      ++probe_stats_.results;
      probe_stats_.last_result_bps = r.bps;
      const int before = estimator_.target_bitrate_bps();
      estimator_.on_probe_result(r.bps, now);
      if (estimator_.target_bitrate_bps() > before) ++probe_stats_.raised;
      probe_controller_.on_probe_result(r.cluster_id, r.bps, now);
    }
    probe_controller_.on_estimate(estimator_.target_bitrate_bps(), now);
    probe_started_ = true;
  }
  loss_.on_feedback(*report);
  pacer_.set_pacing_rate(static_cast<int64_t>(kPacingFactor * estimator_.target_bitrate_bps()));
  return true;
}

// The link carries a fraction of what it did and its queue is full (2 -> 0.3
// Mbit/s, issue 10): everything queued here is stale, and a keyframe sent
// now would join the tail of a queue that drops. Drop it, pause the video
// while the queue drains, and let the keyframe after the pause get through.
void CongestionController::note_collapse(int before_bps, Instant now) {
  if (before_bps >= recent_peak_bps_ || now - recent_peak_at_ > kCollapseWindow) {
    recent_peak_bps_ = before_bps;
    recent_peak_at_ = now;
  }
  if (last_pause_ && now - *last_pause_ < kPauseInterval) return;
  const BweEstimateState e = estimator_.estimate_state(now);
  if (e.standing_queue < kCollapseQueue) return;
  // Seen in the estimate, or sooner in the arrivals: the last ~200 ms carried
  // under half of what we send. The estimate follows the 500-ms received rate
  // down cut by cut and took ~700 ms to halve after 2 -> 0.3 Mbit/s; the
  // recent rate shows it once the first packets come through the full queue.
  const std::optional<double> sending = media_send_rate_.bitrate_bps();
  const bool carried_under_half = e.recent_acknowledged_bps && sending &&
                                  *e.recent_acknowledged_bps < kCollapseShare * *sending;
  if (e.target_bps >= kCollapseShare * recent_peak_bps_ && !carried_under_half) return;
  if (carried_under_half) estimator_.cut_to(kCollapseBeta * *e.recent_acknowledged_bps, now);
  last_pause_ = now;
  paused_since_ = now;
  busy_first_arrival_.reset();
  busy_bytes_ = 0;
  paused_queue_ = e.standing_queue;
  resumed_at_.reset();
  loss_.restart(now);
  // The queue overflowed: the path really shrank. The probe a large drop
  // schedules (has it come back as fast as it went?) would be a burst at the
  // old rate into the queue the pause drains, and its saturated result would
  // put the estimate at the new capacity with no margin: a second queue a
  // second or two later. The periodic probes still find a lifted cap.
  probe_controller_.skip_recovery(now + kRecoverySkip);
  ++video_pauses_;
  pending_pause_ = kMaxVideoPause;  // the longest; note_drained ends it sooner
  auto any = [](ByteView) { return true; };
  collapse_dropped_ += pacer_.drop_queued(PacketPriority::kVideo, any) +
                       pacer_.drop_queued(PacketPriority::kRetransmission, any);
}

// While the video is paused, the queue that was full drains at the link's
// rate: the arrivals from it measure the capacity, where the rate at the
// collapse still mixed in the rate before the drop (565 kbit/s seen for 300)
// and any 200-ms rate of it is a handful of packets (175-300 kbit/s for 300).
// So the bytes over the whole time the queue stayed busy, taken when the
// pause ends (the estimate matters only from then on).
void CongestionController::note_draining_rate(const TransportFeedbackReport& report, Instant now) {
  if (estimator_.estimate_state(now).standing_queue < kBusyQueue) return;
  for (const PacketResult& p : report.packets) {
    if (!p.arrival) continue;
    if (!busy_first_arrival_) busy_first_arrival_ = *p.arrival;
    else busy_bytes_ += p.size;  // the first arrival opens the span
    busy_last_arrival_ = *p.arrival;
  }
}

std::optional<double> CongestionController::busy_rate_bps() const {
  if (!busy_first_arrival_ || busy_last_arrival_ - *busy_first_arrival_ < kBusySpan) return std::nullopt;
  return 8.0 * double(busy_bytes_) / to_seconds(busy_last_arrival_ - *busy_first_arrival_);
}

void CongestionController::end_pause(Instant now) {
  paused_since_.reset();
  resumed_at_ = now;
  if (const auto bps = busy_rate_bps()) estimator_.cut_to(kResumeShare * *bps, now);
}

// The queue at the pause holds at least the largest standing delay any
// report since has shown (each reports packets sent later into the filling
// queue), and drains at the link's rate less the audio that still flows
// into it: the keyframe can go when that has passed, without waiting the
// round trip (and the reverse path's own queue) for the feedback to show
// the drain.
Duration CongestionController::forecast_drain() const {
  const double capacity = busy_rate_bps().value_or(estimator_.target_bitrate_bps());
  const double drain_share = std::max(kMinDrainShare, 1.0 - kAudioBps / std::max(capacity, 1.0));
  return std::chrono::duration_cast<Duration>(paused_queue_ / drain_share);
}

void CongestionController::note_drained(Instant now) {
  if (!paused_since_) return;
  if (now - *paused_since_ >= kMaxVideoPause) {
    end_pause(now);  // the pause ran out on its own
    return;
  }
  const Duration queue = estimator_.estimate_state(now).standing_queue;
  paused_queue_ = std::max(paused_queue_, queue);
  if (queue >= kDrainedQueue && now - *paused_since_ < forecast_drain()) return;
  end_pause(now);
  pending_resume_ = true;
}

void CongestionController::on_rtt(Duration rtt, Instant now) {
  rtt_ = rtt;
  if (enabled()) estimator_.on_rtt(rtt, now);
}

void CongestionController::on_fraction_lost(double fraction, Instant now) {
  loss_.on_fraction_lost(fraction);
  if (enabled()) estimator_.on_loss_report(fraction, now);
}

std::optional<TargetBitrate> CongestionController::take_target(Instant now, bool audio,
                                                               double protection) {
  if (!enabled()) return std::nullopt;
  TargetBitrate t;
  t.total_bps = estimator_.target_bitrate_bps();
  const double media = t.total_bps * (1.0 - kHeaderOverhead) - (audio ? kAudioBps : 0);
  const double video = media / (1.0 + std::max(0.0, protection));
  t.video_bps = std::max(kMinVideoBps, int(video));
  protection_budget_ = video >= kMinVideoBps ? 1.0 : std::max(0.0, media / kMinVideoBps - 1.0);
  const bool due = !last_target_ || now - last_target_at_ >= kReportInterval ||
                   differs(t.total_bps, last_target_->total_bps) ||
                   differs(t.video_bps, last_target_->video_bps) || pending_pause_ || pending_resume_;
  if (!due) return std::nullopt;
  t.pause_video = pending_pause_.value_or(Duration{});
  t.resume_video = pending_resume_ && !pending_pause_;
  pending_pause_.reset();
  pending_resume_ = false;
  last_target_ = t;
  last_target_at_ = now;
  return t;
}

bool CongestionController::lossy_not_congested(double loss, Instant now) const {
  // Without transport-cc there is no delay signal to tell random loss from
  // congestion (and the session behaves as before it existed).
  if (!enabled() || loss_.loss_rate() < loss) return false;
  const BweEstimateState e = estimator_.estimate_state(now);
  return e.usage == BandwidthUsage::kNormal && e.standing_queue < milliseconds(50) &&
         e.last_reason != RateReason::kDelayDecrease && e.last_reason != RateReason::kLossDecrease;
}

Instant CongestionController::next_timeout() const {
  Instant next = pacer_.next_send_time();
  if (enabled()) next = std::min(next, last_target_ ? last_target_at_ + kReportInterval : Instant{});
  if (probing()) next = std::min(next, cluster_ ? next_probe_packet() : probe_controller_.next_timeout());
  return next;
}

void CongestionController::fill(CongestionStats& s, Instant now) const {
  const PacerStats ps = pacer_.stats(now);
  s.pacing_rate_bps = ps.effective_rate_bps;
  s.pacer_queue_delay = ps.oldest_wait;
  s.pacer_queued_packets = ps.queued_packets;
  s.collapse_dropped = collapse_dropped_;
  s.video_pauses = video_pauses_;
  s.transport_cc = enabled();
  if (!enabled()) return;
  const BweEstimateState e = estimator_.estimate_state(now);
  s.target_bps = e.target_bps;
  s.video_target_bps = last_target_ ? last_target_->video_bps : 0;
  s.acknowledged_bps = e.acknowledged_bps;
  s.bwe_state = to_text(e.rate_state);
  s.bwe_reason = std::string(to_string(e.last_reason));
  s.bwe_outage = e.outage;
  s.standing_queue = e.standing_queue;
  s.feedback_loss = e.loss_fraction;
  s.transport_feedback_received = feedback_received_;
}

}  // namespace peercall
