#include "session/peer_session.hpp"

#include <algorithm>

#include "packet/opus_payload.hpp"
#include "rtp/ntp_time.hpp"

namespace peercall {
namespace {

uint64_t seed_from(uint64_t configured) {
  if (configured != 0) return configured;
  std::random_device rd;
  return (uint64_t(rd()) << 32) | rd();
}

// A concealment burst longer than this is a gap, not a loss: don't fill it.
constexpr uint32_t kMaxConcealedFrames = 10;

}  // namespace

PeerSession::PeerSession(const SessionConfig& config, Instant now)
    : config_(config),
      rng_(seed_from(config.random_seed)),
      packetizer_(config.max_rtp_payload),
      video_out_(config.video, uint16_t(rng_()), uint32_t(rng_())),
      audio_out_(config.audio, uint16_t(rng_()), uint32_t(rng_())),
      video_in_(config.video),
      audio_in_(config.audio),
      last_heard_(now),
      next_rtcp_(now) {}

void PeerSession::handle_datagram(ByteView datagram, Instant now) {
  if (closed_) return;
  if (is_rtcp(datagram))
    handle_rtcp(datagram, now);
  else
    handle_rtp(datagram, now);
}

void PeerSession::handle_rtp(ByteView datagram, Instant now) {
  auto parsed = parse_rtp(datagram);
  if (!parsed) {
    ++malformed_;
    return;
  }
  const RtpHeader& h = parsed->header;
  if (config_.video.receive && h.payload_type == config_.video.payload_type &&
      video_in_.accepts(h.ssrc)) {
    receive_video(*parsed, now);
  } else if (config_.audio.receive && h.payload_type == config_.audio.payload_type &&
             audio_in_.accepts(h.ssrc)) {
    receive_audio(*parsed, now);
  } else {
    ++unexpected_;
    return;
  }
  last_heard_ = now;
}

void PeerSession::receive_video(const RtpPacketView& packet, Instant now) {
  if (!video_in_.on_packet(packet, now)) return;  // duplicate
  const RtpHeader& h = packet.header;
  depacketizer_.push(video_in_.last_sequence(), h.timestamp, h.marker, packet.payload, now);
  while (auto unit = depacketizer_.pop_frame()) {
    if (unit->keyframe) awaiting_keyframe_ = false;
    EncodedFrame frame;
    frame.rtp_timestamp = unit->rtp_timestamp;
    frame.keyframe = unit->keyframe;
    frame.capture_time = video_in_.capture_time(unit->rtp_timestamp);
    frame.data = std::move(unit->annexb);
    emit(VideoReceived{std::move(frame)});
  }
  if (depacketizer_.take_keyframe_request()) request_keyframe(now);
}

void PeerSession::receive_audio(const RtpPacketView& packet, Instant now) {
  if (!valid_opus_payload(packet.payload)) {
    ++malformed_;
    return;
  }
  if (!audio_in_.on_packet(packet, now)) return;  // duplicate
  const int64_t seq = audio_in_.last_sequence();
  uint32_t lost_before = 0;
  if (last_audio_sequence_) {
    if (seq <= *last_audio_sequence_) {
      ++audio_too_late_;  // already concealed; playing it now would add delay
      return;
    }
    lost_before = static_cast<uint32_t>(
        std::min<int64_t>(seq - *last_audio_sequence_ - 1, kMaxConcealedFrames));
  }
  last_audio_sequence_ = seq;
  ++audio_frames_in_;
  AudioReceived received;
  received.lost_before = lost_before;
  received.frame.rtp_timestamp = packet.header.timestamp;
  received.frame.capture_time = audio_in_.capture_time(packet.header.timestamp);
  received.frame.data.assign(packet.payload.begin(), packet.payload.end());
  emit(std::move(received));
}

void PeerSession::request_keyframe(Instant now) {
  if (!config_.video.receive) return;
  if (!awaiting_keyframe_ || !last_keyframe_request_ ||
      now - *last_keyframe_request_ >= config_.keyframe_request_interval) {
    awaiting_keyframe_ = true;
    send_keyframe_request(now);
  }
}

void PeerSession::send_keyframe_request(Instant now) {
  last_keyframe_request_ = now;
  ++keyframe_requests_sent_;
  ReceiverReport rr;
  rr.ssrc = config_.video.local_ssrc;
  PictureLossIndication pli;
  pli.sender_ssrc = config_.video.local_ssrc;
  pli.media_ssrc = video_in_.remote_ssrc();
  outputs_.emplace_back(Transmit{write_rtcp_compound({rr, pli})});
}

void PeerSession::handle_rtcp(ByteView datagram, Instant now) {
  auto parsed = parse_rtcp_compound(datagram);
  if (!parsed) {
    ++malformed_;
    return;
  }
  last_heard_ = now;
  auto on_blocks = [&](const std::vector<ReportBlock>& blocks) {
    for (const ReportBlock& block : blocks) {
      RtpSendStream* stream = block.ssrc == video_out_.ssrc()   ? &video_out_
                              : block.ssrc == audio_out_.ssrc() ? &audio_out_
                                                                : nullptr;
      if (!stream) continue;
      stream->on_report_block(block);
      if (auto rtt = round_trip_time(block, now)) rtt_ = *rtt;
    }
  };
  for (const RtcpPacket& packet : *parsed) {
    if (auto* sr = std::get_if<SenderReport>(&packet)) {
      if (sr->ssrc == video_in_.remote_ssrc()) video_in_.on_sender_report(*sr, now);
      if (sr->ssrc == audio_in_.remote_ssrc()) audio_in_.on_sender_report(*sr, now);
      on_blocks(sr->reports);
    } else if (auto* rr = std::get_if<ReceiverReport>(&packet)) {
      on_blocks(rr->reports);
    } else if (auto* pli = std::get_if<PictureLossIndication>(&packet)) {
      if (config_.video.send && (pli->media_ssrc == video_out_.ssrc() || pli->media_ssrc == 0)) {
        video_out_.on_keyframe_request();
        emit(KeyframeRequested{});
      }
    } else if (std::holds_alternative<Bye>(packet)) {
      if (!peer_hung_up_) emit(PeerHungUp{});
      peer_hung_up_ = true;
    }
  }
}

void PeerSession::send_video(const EncodedFrame& frame, Instant now) {
  (void)now;
  if (closed_ || !config_.video.send) return;
  video_out_.send_frame(packetizer_.packetize(frame.data), frame.rtp_timestamp,
                        frame.capture_time, frame.keyframe, outputs_);
}

void PeerSession::send_audio(const EncodedFrame& frame, Instant now) {
  (void)now;
  if (closed_ || !config_.audio.send) return;
  audio_out_.send_frame({frame.data}, frame.rtp_timestamp, frame.capture_time, false, outputs_);
}

void PeerSession::send_rtcp(Instant now, bool bye) {
  std::vector<RtcpPacket> packets;
  std::vector<ReportBlock> blocks;
  if (config_.video.receive && video_in_.active()) blocks.push_back(video_in_.report_block(now));
  if (config_.audio.receive && audio_in_.active()) blocks.push_back(audio_in_.report_block(now));
  // One report per sending SSRC; the reception blocks ride on the first.
  bool first = true;
  for (RtpSendStream* stream : {&video_out_, &audio_out_}) {
    if (!stream->has_sent()) continue;
    SenderReport sr = stream->sender_report(now);
    if (first) sr.reports = blocks;
    first = false;
    packets.emplace_back(std::move(sr));
  }
  if (first) {
    ReceiverReport rr;
    rr.ssrc = config_.video.local_ssrc;
    rr.reports = blocks;
    packets.emplace_back(std::move(rr));
  }
  packets.emplace_back(SourceDescription{config_.video.local_ssrc, config_.cname});
  if (bye) packets.emplace_back(Bye{{config_.video.local_ssrc, config_.audio.local_ssrc}});
  outputs_.emplace_back(Transmit{write_rtcp_compound(packets)});
}

void PeerSession::handle_timeout(Instant now) {
  if (closed_) return;
  if (now >= next_rtcp_) {
    send_rtcp(now, false);
    // Randomised by +-25% so that many peers do not synchronise (RFC 3550 6.3.1).
    const auto base = to_micros(config_.rtcp_interval);
    std::uniform_int_distribution<int64_t> spread(base * 3 / 4, base * 5 / 4);
    next_rtcp_ = now + microseconds(spread(rng_));
  }
  if (awaiting_keyframe_ && last_keyframe_request_ &&
      now - *last_keyframe_request_ >= config_.keyframe_request_interval) {
    send_keyframe_request(now);
  }
  if (!timed_out_ && !peer_hung_up_ && now - last_heard_ >= config_.peer_timeout) {
    timed_out_ = true;
    emit(PeerTimedOut{});
  }
}

void PeerSession::close(Instant now) {
  if (closed_) return;
  send_rtcp(now, true);
  closed_ = true;
}

std::optional<SessionOutput> PeerSession::poll_output() {
  if (outputs_.empty()) return std::nullopt;
  SessionOutput out = std::move(outputs_.front());
  outputs_.pop_front();
  return out;
}

Instant PeerSession::next_timeout() const {
  Instant next = next_rtcp_;
  if (!timed_out_ && !peer_hung_up_) next = std::min(next, last_heard_ + config_.peer_timeout);
  if (awaiting_keyframe_ && last_keyframe_request_)
    next = std::min(next, *last_keyframe_request_ + config_.keyframe_request_interval);
  return next;
}

SessionStats PeerSession::stats() const {
  SessionStats s;
  s.video_out = video_out_.stats();
  s.audio_out = audio_out_.stats();
  auto fill_in = [](IncomingStreamStats& in, const ReceiveStatistics& rs) {
    in.packets = rs.packets_received();
    in.bytes = rs.bytes_received();
    in.packets_lost = rs.packets_lost();
    in.packets_reordered = rs.reordered();
    in.packets_duplicate = rs.duplicates();
    in.jitter_ms = rs.jitter_seconds() * 1000.0;
  };
  fill_in(s.video_in, video_in_.statistics());
  fill_in(s.audio_in, audio_in_.statistics());
  const auto& dp = depacketizer_.stats();
  s.video_in.frames = dp.frames_complete;
  s.video_in.frames_lost = dp.frames_lost;
  s.video_in.keyframe_requests_sent = keyframe_requests_sent_;
  s.audio_in.frames = audio_frames_in_;
  s.audio_in.packets_too_late = audio_too_late_;
  s.datagrams_malformed = malformed_ + dp.packets_malformed;
  s.datagrams_unexpected = unexpected_;
  s.rtt = rtt_;
  return s;
}

}  // namespace peercall
