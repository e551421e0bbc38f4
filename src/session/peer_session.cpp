#include "session/peer_session.hpp"

#include <algorithm>

#include "packet/opus_payload.hpp"
#include "rtp/ntp_time.hpp"
#include "rtp/red_packet.hpp"
#include "rtp/rtp_header_extensions.hpp"
#include "rtp/rtx_packet.hpp"

namespace peercall {
namespace {

uint64_t seed_from(uint64_t configured) {
  if (configured != 0) return configured;
  std::random_device rd;
  return (uint64_t(rd()) << 32) | rd();
}

// A concealment burst longer than this is a gap, not a loss: don't fill it.
constexpr uint32_t kMaxConcealedFrames = 10;

// From this measured loss on (random, not congestion), each retransmission
// and each NACK is sent twice.
constexpr double kRedundantRtxLoss = 0.02;

// The second copy of a NACK or a retransmission on a lossy path leaves this
// much after the first: losses come in bursts (Wi-Fi fades, a queue
// overflowing), which two copies back to back would often share.
constexpr Duration kSecondCopyDelay = milliseconds(15);

// Video silent this long (an outage, not jitter: at 15-30 fps packets come
// every 33-66 ms) and resuming beyond a gap: the gap is not repaired.
constexpr Duration kStaleAfterSilence = milliseconds(250);

std::vector<uint32_t> rtx_ssrcs(const SessionConfig& config) {
  std::vector<uint32_t> out;
  for (const StreamConfig& s : config.streams)
    if (s.send && sent_rtx_payload_type(s) != 0 && s.local_rtx_ssrc != 0) out.push_back(s.local_rtx_ssrc);
  return out;
}

// The packet as the sender protected it with FlexFEC: without header
// extension (the transport-wide sequence number is stamped after protection)
// and without padding.
Bytes fec_form(const RtpPacketView& packet) {
  Bytes out;
  out.reserve(kRtpHeaderSize + packet.payload.size());
  write_rtp(packet.header, packet.payload, out);
  return out;
}

}  // namespace

PeerSession::PeerSession(const SessionConfig& config, Instant now)
    : config_(config),
      rng_(seed_from(config.random_seed)),
      packetizer_(config.max_rtp_payload),
      streams_(config.streams, config.recovery, rng_),
      last_heard_(now),
      next_rtcp_(now),
      congestion_(config, rtx_ssrcs(config),
                  config.transport_cc_extension_id != 0 ? uint16_t(rng_()) : uint16_t(0)),
      last_now_(now) {
  if (config_.transport_cc_extension_id != 0) {
    TransportFeedbackGenerator::Config fc;
    fc.sender_ssrc = streams_.rtcp_ssrc();
    for (const ReceiveEntry& r : streams_.receiving())
      if (r.config.remote_ssrc != 0) {
        fc.media_ssrc = r.config.remote_ssrc;
        break;
      }
    fc.max_packet_bytes = config_.max_rtp_payload;
    feedback_generator_ = std::make_unique<TransportFeedbackGenerator>(fc);
  }
  // Wait for retransmissions from the first packet on (the first keyframe may need one).
  for (ReceiveEntry& r : streams_.receiving())
    if (r.nack) r.depacketizer->set_max_wait(recovery_wait(config_.recovery, recovery_rtt()));
}

void PeerSession::handle_datagram(ByteView datagram, Instant now) {
  if (closed_) return;
  last_now_ = now;
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
  // Every arrival counts for congestion control, whatever it carries (RTX, FEC).
  if (feedback_generator_)
    if (auto sequence = read_transport_sequence(datagram, config_.transport_cc_extension_id))
      feedback_generator_->on_packet(*sequence, now);
  ReceiveEntry* stream = streams_.route(parsed->header.ssrc, parsed->header.payload_type);
  if (!stream) {
    if (ReceiveEntry* repaired = streams_.route_rtx(parsed->header.ssrc, parsed->header.payload_type)) {
      handle_rtx(*repaired, *parsed, now);
      heard(now);
      return;
    }
    if (ReceiveEntry* protected_stream =
            streams_.route_fec(parsed->header.ssrc, parsed->header.payload_type)) {
      handle_fec(*protected_stream, datagram, now);
      heard(now);
      return;
    }
    ++unexpected_;
    return;
  }
  if (stream->config.kind == MediaKind::kVideo) {
    const RedContent red = is_red(*stream, *parsed) ? unwrap_red(*stream, *parsed) : RedContent::kMedia;
    if (red != RedContent::kNone) receive_video(*stream, *parsed, now, Origin::kMedia, red == RedContent::kRepair);
  } else
    receive_audio(*stream, *parsed, now);
  heard(now);
}

void PeerSession::handle_rtx(ReceiveEntry& stream, const RtpPacketView& rtx, Instant now) {
  if (!stream.rtp.active()) return;  // nothing to repair yet
  if (is_rtx_padding(rtx)) {  // padding only, no OSN: a bandwidth probe (ours or Chromium's)
    ++stream.rtx_received;
    return;
  }
  const bool red = stream.config.red_rtx_payload_type != 0 &&
                   rtx.header.payload_type == stream.config.red_rtx_payload_type;
  auto original = unwrap_rtx(rtx, stream.rtp.remote_ssrc(),
                             red ? stream.config.red_payload_type : stream.config.payload_type);
  if (!original) {
    ++stream.rtx_malformed;
    return;
  }
  ++stream.rtx_received;
  if (original->payload.empty()) return;  // padding only (a bandwidth probe)
  const RedContent content = red ? unwrap_red(stream, *original) : RedContent::kMedia;
  if (content != RedContent::kNone) receive_video(stream, *original, now, Origin::kRtx, content == RedContent::kRepair);
}

bool PeerSession::is_red(const ReceiveEntry& stream, const RtpPacketView& packet) const {
  return stream.config.red_payload_type != 0 && packet.header.payload_type == stream.config.red_payload_type;
}

// A RED packet as the packet inside it. The peer's ULPFEC repairs are not
// used (browsers send none with H.264 and NACK: libwebrtc turns RED and
// ULPFEC off there; peercalls use FlexFEC), but they hold sequence numbers
// of the stream, which the frame assembler is told of as padding.
PeerSession::RedContent PeerSession::unwrap_red(ReceiveEntry& stream, RtpPacketView& packet) {
  auto block = parse_red_payload(packet.payload);
  if (!block) {
    ++malformed_;
    return RedContent::kNone;
  }
  packet.header.payload_type = block->payload_type;
  packet.payload = block->data;
  if (block->payload_type == stream.config.ulpfec_payload_type) return RedContent::kRepair;
  if (block->payload_type != stream.config.payload_type) {
    ++unexpected_;
    return RedContent::kNone;
  }
  return RedContent::kMedia;
}

bool PeerSession::ensure_fec_receiver(ReceiveEntry& stream) {
  if (stream.fec) return true;
  if (stream.config.fec_payload_type == 0 || stream.rtp.remote_ssrc() == 0 || stream.remote_fec_ssrc == 0)
    return false;
  FecReceiverConfig fc;
  fc.media_ssrc = stream.rtp.remote_ssrc();
  fc.fec_ssrc = stream.remote_fec_ssrc;
  stream.fec = std::make_unique<FecReceiver>(fc);
  return true;
}

void PeerSession::handle_fec(ReceiveEntry& stream, ByteView datagram, Instant now) {
  ++stream.fec_received;
  if (!stream.rtp.active() || !ensure_fec_receiver(stream)) return;  // nothing to repair yet
  receive_recovered(stream, stream.fec->on_fec_packet(datagram), now);
}

void PeerSession::feed_fec(ReceiveEntry& stream, const RtpPacketView& packet, Instant now) {
  if (stream.config.fec_payload_type == 0 || !ensure_fec_receiver(stream)) return;
  receive_recovered(stream, stream.fec->on_media_packet(fec_form(packet)), now);
}

void PeerSession::receive_recovered(ReceiveEntry& stream, const std::vector<Bytes>& packets,
                                    Instant now) {
  for (const Bytes& bytes : packets) {
    auto packet = parse_rtp(bytes);
    if (!packet || packet->header.ssrc != stream.rtp.remote_ssrc() ||
        packet->header.payload_type != stream.config.payload_type)
      continue;
    receive_video(stream, *packet, now, Origin::kFec);
  }
}

void PeerSession::receive_video(ReceiveEntry& stream, const RtpPacketView& packet, Instant now,
                                Origin origin, bool padding) {
  int64_t seq = 0;
  if (origin != Origin::kMedia) {
    seq = stream.rtp.extend_sequence(packet.header.sequence_number);
  } else {
    if (!stream.rtp.on_packet(packet, now)) return;  // duplicate
    seq = stream.rtp.last_sequence();
  }
  const RtpHeader& h = packet.header;
  H264Depacketizer& depacketizer = *stream.depacketizer;
  // The first packet after a silence, beyond a gap: what was lost meanwhile
  // was captured during the silence, so repairing it would only show stale
  // pictures. Ask for none of it and for a keyframe at once.
  const bool resumed = origin == Origin::kMedia && stream.last_video_arrival &&
                       now - *stream.last_video_arrival >= kStaleAfterSilence &&
                       stream.highest_video_seq && seq > *stream.highest_video_seq + 1;
  if (origin == Origin::kMedia) stream.last_video_arrival = now;
  if (!stream.highest_video_seq || seq > *stream.highest_video_seq) stream.highest_video_seq = seq;
  if (stream.nack) {
    stream.nack->on_packet(seq, now);
    if (resumed) stream.nack->forget_before(seq);
    depacketizer.set_max_wait(recovery_wait(config_.recovery, recovery_rtt()));
  }
  if (resumed) depacketizer.give_up_before(seq);
  if (padding)
    depacketizer.push_padding(seq, h.timestamp, now);
  else
    depacketizer.push(seq, h.timestamp, h.marker, packet.payload, now);
  // What FEC rebuilt it already counts as received; what it rebuilds now
  // takes this path in turn (before the NACKs, which it may make moot).
  if (origin != Origin::kFec && !padding) feed_fec(stream, packet, now);
  deliver_frames(stream, now);
  send_nacks(now);
}

void PeerSession::deliver_frames(ReceiveEntry& stream, Instant now) {
  H264Depacketizer& depacketizer = *stream.depacketizer;
  while (auto unit = depacketizer.pop_frame()) {
    if (unit->keyframe) awaiting_keyframe_ = false;
    VideoReceived received;
    received.mid = stream.config.mid;
    received.frame.rtp_timestamp = unit->rtp_timestamp;
    received.frame.keyframe = unit->keyframe;
    // Pictures are timed for recordings (a y4m's rate, from its first
    // frames): the sender's intervals, not start-up's shrinking delays.
    received.frame.capture_time = stream.rtp.steady_capture_time(unit->rtp_timestamp);
    received.frame.sender_time_us = stream.rtp.sender_time_us(unit->rtp_timestamp);
    received.frame.data = std::move(unit->annexb);
    emit(std::move(received));
  }
  if (depacketizer.take_keyframe_request()) request_keyframe(now);
}

// One compound RTCP (an RR, then a NACK per stream) for everything due now.
void PeerSession::send_nacks(Instant now) {
  std::vector<RtcpPacket> packets;
  for (ReceiveEntry& r : streams_.receiving()) {
    if (!r.nack || r.rtp.remote_ssrc() == 0) continue;
    std::vector<uint16_t> due = r.nack->take_due(now, recovery_rtt());
    if (due.empty()) continue;
    if (packets.empty()) packets.emplace_back(ReceiverReport{streams_.rtcp_ssrc(), {}});
    packets.emplace_back(GenericNack{streams_.rtcp_ssrc(), r.rtp.remote_ssrc(), std::move(due)});
  }
  if (packets.empty()) return;
  Bytes nacks = write_rtcp_compound(packets);
  // Our direction loses packets at random (measured from the peer's
  // feedback on what we send): a lost NACK would cost a whole round trip
  // more, a second copy a few dozen bytes.
  if (congestion_.lossy_not_congested(kRedundantRtxLoss, now))
    second_copies_.push_back({now + kSecondCopyDelay, nacks, false});
  outputs_.emplace_back(Transmit{std::move(nacks)});
}

void PeerSession::send_second_copies(Instant now) {
  bool paced = false;
  while (!second_copies_.empty() && second_copies_.front().due <= now) {
    SecondCopy& c = second_copies_.front();
    if (c.retransmission) {
      congestion_.enqueue(std::move(c.datagram), PacketPriority::kRetransmission, now);
      paced = true;
    } else {
      outputs_.emplace_back(Transmit{std::move(c.datagram)});
    }
    second_copies_.pop_front();
  }
  if (paced) send_paced(now);
}

void PeerSession::on_nack(const GenericNack& nack, Instant now) {
  SendEntry* target = streams_.send_by_local_ssrc(nack.media_ssrc);
  if (!target) {
    ++rtcp_unknown_ssrc_;
    return;
  }
  if (!target->retransmitter || closed_) return;  // NACK not negotiated for it
  std::deque<SessionOutput> resent, again;
  // A lossy path (2% and up) loses retransmissions too: send two, unless
  // the loss is congestion (a copy would only lengthen the queue).
  const bool twice = congestion_.lossy_not_congested(kRedundantRtxLoss, now);
  target->retransmitter->on_nack(nack, now, recovery_rtt(), resent, twice ? &again : nullptr);
  pace(resent, PacketPriority::kRetransmission, now);
  for (SessionOutput& out : again)
    if (auto* t = std::get_if<Transmit>(&out)) second_copies_.push_back({now + kSecondCopyDelay, std::move(t->datagram), true});
}

void PeerSession::receive_audio(ReceiveEntry& stream, const RtpPacketView& packet, Instant now) {
  if (!valid_opus_payload(packet.payload)) {
    ++malformed_;
    return;
  }
  if (!stream.rtp.on_packet(packet, now)) return;  // duplicate
  const int64_t seq = stream.rtp.last_sequence();
  // Reordered and late packets are delivered too: the app's jitter buffer
  // orders them by `sequence` and drops what it already concealed.
  // `lost_before` is the gap before the newest packet so far (0 for a late one).
  uint32_t lost_before = 0;
  if (stream.last_audio_sequence && seq <= *stream.last_audio_sequence) {
    ++stream.audio_too_late;  // counted (arrived after a later one), no longer dropped
  } else {
    if (stream.last_audio_sequence)
      lost_before = static_cast<uint32_t>(
          std::min<int64_t>(seq - *stream.last_audio_sequence - 1, kMaxConcealedFrames));
    stream.last_audio_sequence = seq;
  }
  ++stream.audio_frames;
  AudioReceived received;
  received.mid = stream.config.mid;
  received.lost_before = lost_before;
  received.sequence = packet.header.sequence_number;
  received.frame.rtp_timestamp = packet.header.timestamp;
  received.frame.capture_time = stream.rtp.capture_time(packet.header.timestamp);
  received.frame.sender_time_us = stream.rtp.sender_time_us(packet.header.timestamp);
  received.frame.data.assign(packet.payload.begin(), packet.payload.end());
  emit(std::move(received));
}

void PeerSession::request_keyframe(Instant now) {
  if (!streams_.receives(MediaKind::kVideo)) return;
  if (!awaiting_keyframe_ || !last_keyframe_request_ ||
      now - *last_keyframe_request_ >= keyframe_request_interval(config_.recovery, recovery_rtt())) {
    awaiting_keyframe_ = true;
    send_keyframe_request(now);
  }
}

void PeerSession::send_keyframe_request(Instant now) {
  std::vector<RtcpPacket> packets;
  ReceiverReport rr;
  rr.ssrc = streams_.rtcp_ssrc();
  packets.emplace_back(rr);
  for (ReceiveEntry& r : streams_.receiving()) {
    if (r.config.kind != MediaKind::kVideo || r.rtp.remote_ssrc() == 0) continue;
    PictureLossIndication pli;
    pli.sender_ssrc = streams_.rtcp_ssrc();
    pli.media_ssrc = r.rtp.remote_ssrc();
    packets.emplace_back(pli);
  }
  if (packets.size() == 1) return;  // nobody to ask yet: the first packet will tell
  last_keyframe_request_ = now;
  ++keyframe_requests_sent_;
  Bytes request = write_rtcp_compound(packets);
  // A few dozen bytes, and the picture stays frozen until it gets through:
  // on a lossy or congested way back one copy is often lost, and asking
  // again costs a round trip. The sender answers both with one keyframe.
  second_copies_.push_back({now + kSecondCopyDelay, request, false});
  outputs_.emplace_back(Transmit{std::move(request)});
}

void PeerSession::on_report_blocks(uint32_t reporter, const std::vector<ReportBlock>& blocks,
                                   Instant now) {
  for (const ReportBlock& block : blocks) {
    SendEntry* stream = streams_.send_by_local_ssrc(block.ssrc);
    if (!stream) continue;
    stream->rtp.on_report_block(block);
    if (stream->config.kind == MediaKind::kVideo)
      congestion_.on_fraction_lost(block.fraction_lost / 256.0, now);
    if (std::ranges::find(peer_rtcp_ssrcs_, reporter) == peer_rtcp_ssrcs_.end() &&
        peer_rtcp_ssrcs_.size() < 8)
      peer_rtcp_ssrcs_.push_back(reporter);
    if (auto rtt = round_trip_time(block, now)) {
      rtt_ = *rtt;
      congestion_.on_rtt(*rtt, now);
    }
  }
}

// A BYE counts only from a source we know: a media stream of the peer's, or
// the SSRC that has been reporting on our streams (a receive-only peer's).
bool PeerSession::from_peer(const Bye& bye) const {
  for (uint32_t ssrc : bye.ssrcs) {
    if (streams_.is_remote_ssrc(ssrc)) return true;
    if (std::ranges::find(peer_rtcp_ssrcs_, ssrc) != peer_rtcp_ssrcs_.end()) return true;
  }
  return false;
}

void PeerSession::handle_rtcp(ByteView datagram, Instant now) {
  auto parsed = parse_rtcp_compound(datagram);
  if (!parsed) {
    ++malformed_;
    return;
  }
  heard(now);
  for (const RtcpPacket& packet : *parsed) {
    if (auto* sr = std::get_if<SenderReport>(&packet)) {
      if (ReceiveEntry* r = streams_.receive_by_remote_ssrc(sr->ssrc)) r->rtp.on_sender_report(*sr, now);
      on_report_blocks(sr->ssrc, sr->reports, now);
    } else if (auto* rr = std::get_if<ReceiverReport>(&packet)) {
      on_report_blocks(rr->ssrc, rr->reports, now);
    } else if (auto* pli = std::get_if<PictureLossIndication>(&packet)) {
      SendEntry* target = streams_.send_by_local_ssrc(pli->media_ssrc);
      if (!target || target->config.kind != MediaKind::kVideo) {
        ++rtcp_unknown_ssrc_;
        continue;
      }
      target->rtp.on_keyframe_request();
      emit(KeyframeRequested{target->config.mid});
    } else if (auto* nack = std::get_if<GenericNack>(&packet)) {
      on_nack(*nack, now);
    } else if (auto* feedback = std::get_if<TransportFeedback>(&packet)) {
      on_transport_feedback(*feedback, now);
    } else if (auto* bye = std::get_if<Bye>(&packet)) {
      if (!from_peer(*bye)) {
        ++rtcp_unknown_ssrc_;
        continue;
      }
      if (!peer_hung_up_) emit(PeerHungUp{});
      peer_hung_up_ = true;
    }
  }
}

void PeerSession::send_on(MediaKind kind, const EncodedFrame& frame, Instant now) {
  if (closed_) return;
  last_now_ = now;
  SendEntry* stream = streams_.first_send(kind);
  if (!stream) return;
  std::deque<SessionOutput> packets;
  if (kind == MediaKind::kAudio) {
    stream->rtp.send_frame({frame.data}, frame.rtp_timestamp, frame.capture_time, false, now,
                           nullptr, packets);
    pace(packets, PacketPriority::kAudio, now);
    return;
  }
  stream->rtp.send_frame(packetizer_.packetize(frame.data), frame.rtp_timestamp,
                         frame.capture_time, frame.keyframe, now, stream->retransmitter.get(),
                         packets);
  if (frame.keyframe && !packets.empty()) {
    const Bytes& first = std::get<Transmit>(packets.front()).datagram;
    if (first.size() >= kRtpHeaderSize) supersede_before(*stream, peek_rtp_sequence(first));
  }
  if (stream->sent_frames && !packets.empty())  // ULPFEC: protected as it leaves (send_paced)
    stream->sent_frames->note_frame(peek_rtp_timestamp(std::get<Transmit>(packets.front()).datagram),
                                    frame.keyframe);
  std::deque<SessionOutput> repairs;
  if (stream->fec && !stream->sent_frames) {
    update_fec_inputs(*stream->fec);
    std::vector<ByteView> media;
    for (const SessionOutput& p : packets) media.emplace_back(std::get<Transmit>(p).datagram);
    if (auto fec = stream->fec->protect_frame(media, frame.keyframe))
      for (Bytes& repair : *fec) repairs.emplace_back(Transmit{std::move(repair)});
  }
  pace(packets, PacketPriority::kVideo, now);
  // Right behind the frame, at the same priority: a repair is only useful
  // while the frame is still being assembled.
  pace(repairs, PacketPriority::kVideo, now);
}

// A keyframe (its first packet: `first_new`) needs nothing sent before it.
// What of its stream still waits in the pacer (a backlog: the estimate fell
// under what was queued), or as a second copy, would only hold the keyframe
// back on a congested link: dropped unsent, and NACKs for older packets go
// unanswered. The receiver sees the gap and jumps to the keyframe once it is
// whole. (On a free link the pacer is empty when a keyframe comes.) A video
// pause at a collapse ends on a keyframe too, so it supersedes what was sent
// before it at once: retransmissions would refill the queue it drains.
void PeerSession::supersede_before(SendEntry& stream, uint16_t first_new) {
  std::vector<uint32_t> ssrcs{stream.config.local_ssrc};
  if (stream.config.local_rtx_ssrc) ssrcs.push_back(stream.config.local_rtx_ssrc);
  if (stream.config.local_fec_ssrc) ssrcs.push_back(stream.config.local_fec_ssrc);
  stream.superseded_unsent += congestion_.drop_superseded(ssrcs);
  if (stream.config.local_rtx_ssrc) {
    const size_t before = second_copies_.size();
    std::erase_if(second_copies_, [&](const SecondCopy& c) {
      return c.retransmission && c.datagram.size() >= kRtpHeaderSize &&
             peek_rtp_ssrc(c.datagram) == stream.config.local_rtx_ssrc;
    });
    stream.superseded_unsent += before - second_copies_.size();
  }
  if (stream.retransmitter) stream.retransmitter->supersede_before(first_new);
}

void PeerSession::update_fec_inputs(FecEncoder& fec) {
  const LinkLossEstimator& loss = congestion_.loss();
  fec.set_loss_rate(loss.loss_rate(), loss.burst_length());
  fec.set_overhead_budget(congestion_.protection_budget());
}

// What the pacer has due goes out; a ULPFEC stream's frame is protected once
// its last packet left (session/sent_frame_collector.hpp), and the repairs
// follow it at once, kept for NACKs too: they hold media sequence numbers,
// and a receiver without picture ids waits for every one (libwebrtc's H.264).
void PeerSession::send_paced(Instant now) {
  const size_t first = outputs_.size();
  congestion_.send_due(now, outputs_);
  std::vector<Bytes> repairs;
  for (SendEntry& s : streams_.sending()) {
    if (!s.sent_frames) continue;
    for (size_t i = first; i < outputs_.size(); ++i) {
      const auto* t = std::get_if<Transmit>(&outputs_[i]);
      auto frame = t ? s.sent_frames->on_sent(t->datagram) : std::nullopt;
      if (!frame) continue;
      update_fec_inputs(*s.fec);
      auto fec = s.fec->protect_frame(frame->packets, frame->keyframe, &s.rtp.sequence());
      if (!fec) continue;
      for (Bytes& repair : *fec) {
        s.rtp.count_repair(repair.size() - kRtpHeaderSize);
        if (s.retransmitter) s.retransmitter->remember(peek_rtp_sequence(repair), repair, now);
        repairs.push_back(std::move(repair));
      }
    }
  }
  if (repairs.empty()) return;
  for (Bytes& repair : repairs) congestion_.enqueue(std::move(repair), PacketPriority::kVideo, now);
  send_paced(now);  // repairs are not protected again: this ends
}

void PeerSession::pace(std::deque<SessionOutput>& produced, PacketPriority priority, Instant now) {
  for (SessionOutput& out : produced)
    if (auto* t = std::get_if<Transmit>(&out)) congestion_.enqueue(std::move(t->datagram), priority, now);
  produced.clear();
  send_paced(now);
}

void PeerSession::on_transport_feedback(const TransportFeedback& feedback, Instant now) {
  if (!congestion_.on_feedback(feedback, now)) return;
  report_target(now);
  send_paced(now);  // the pacing rate may have risen
}

// FEC and RTX bytes per video byte over the last 1-2 s: the encoder gets
// what is left after them (as libwebrtc subtracts its protection rate), or a
// burst of retransmissions would push the total past the estimate.
double PeerSession::protection_overhead(Instant now) {
  SendEntry* video = streams_.first_send(MediaKind::kVideo);
  if (!video) return 0;
  SendEntry::ProtectionMark mark;
  mark.media_bytes = video->rtp.stats().bytes;
  if (video->fec) mark.protection_bytes += video->fec->stats().fec_bytes;
  if (video->retransmitter) mark.protection_bytes += video->retransmitter->stats().retransmitted_bytes;
  if (!video->mark_rolled || now - *video->mark_rolled >= seconds(1)) {
    video->previous_mark = video->mark_rolled ? video->current_mark : mark;
    video->current_mark = mark;
    video->mark_rolled = now;
  }
  const uint64_t media = mark.media_bytes - video->previous_mark.media_bytes;
  const uint64_t protection = mark.protection_bytes - video->previous_mark.protection_bytes;
  return media > 0 ? std::min(1.0, double(protection) / double(media)) : 0.0;
}

void PeerSession::report_target(Instant now) {
  if (!congestion_.enabled()) return;
  const bool audio = streams_.first_send(MediaKind::kAudio) != nullptr;
  auto target = congestion_.take_target(now, audio, protection_overhead(now));
  if (!target) return;
  if (target->pause_video > Duration{})
    for (SendEntry& s : streams_.sending())
      if (s.config.kind == MediaKind::kVideo) supersede_before(s, s.rtp.next_sequence());
  emit(*target);
}

// One compound RTCP per feedback message: an RR first (RFC 3550 6.1), then it.
void PeerSession::send_transport_feedback(Instant now) {
  if (!feedback_generator_) return;
  for (TransportFeedback& feedback : feedback_generator_->poll(now)) {
    std::vector<RtcpPacket> packets;
    packets.emplace_back(ReceiverReport{streams_.rtcp_ssrc(), {}});
    feedback.sender_ssrc = streams_.rtcp_ssrc();
    packets.emplace_back(std::move(feedback));
    outputs_.emplace_back(Transmit{write_rtcp_compound(packets)});
    ++feedback_sent_;
  }
}

void PeerSession::send_video(const EncodedFrame& frame, Instant now) { send_on(MediaKind::kVideo, frame, now); }
void PeerSession::send_audio(const EncodedFrame& frame, Instant now) { send_on(MediaKind::kAudio, frame, now); }

void PeerSession::send_rtcp(Instant now, bool bye) {
  std::vector<RtcpPacket> packets;
  std::vector<ReportBlock> blocks;
  for (ReceiveEntry& r : streams_.receiving())
    if (r.rtp.active()) blocks.push_back(r.rtp.report_block(now));
  // One report per sending SSRC; the reception blocks ride on the first.
  bool first = true;
  for (SendEntry& s : streams_.sending()) {
    if (!s.rtp.has_sent()) continue;
    SenderReport sr = s.rtp.sender_report(now);
    if (first) sr.reports = blocks;
    first = false;
    packets.emplace_back(std::move(sr));
  }
  if (first) {
    ReceiverReport rr;
    rr.ssrc = streams_.rtcp_ssrc();
    rr.reports = blocks;
    packets.emplace_back(std::move(rr));
  }
  packets.emplace_back(SourceDescription{streams_.rtcp_ssrc(), config_.cname});
  if (bye) packets.emplace_back(Bye{streams_.local_ssrcs()});
  outputs_.emplace_back(Transmit{write_rtcp_compound(packets)});
}

void PeerSession::handle_timeout(Instant now) {
  if (closed_) return;
  last_now_ = now;
  send_paced(now);
  send_transport_feedback(now);
  report_target(now);
  if (now >= next_rtcp_) {
    send_rtcp(now, false);
    // Randomised by +-25% so that many peers do not synchronise (RFC 3550 6.3.1).
    const auto base = to_micros(config_.rtcp_interval);
    std::uniform_int_distribution<int64_t> spread(base * 3 / 4, base * 5 / 4);
    next_rtcp_ = now + microseconds(spread(rng_));
  }
  for (ReceiveEntry& r : streams_.receiving()) {
    if (!r.depacketizer) continue;
    r.depacketizer->handle_timeout(now);
    deliver_frames(r, now);
  }
  send_nacks(now);
  send_second_copies(now);
  if (awaiting_keyframe_ && last_keyframe_request_ &&
      now - *last_keyframe_request_ >= keyframe_request_interval(config_.recovery, recovery_rtt())) {
    send_keyframe_request(now);
  }
  if (!timed_out_ && !peer_hung_up_) {
    if (!quiet_ && now - last_heard_ >= config_.peer_quiet) {
      quiet_ = true;
      emit(PeerQuiet{true, now - last_heard_});
    }
    if (now - last_heard_ >= config_.peer_timeout) {
      timed_out_ = true;
      emit(PeerTimedOut{now - last_heard_});
    }
  }
}

void PeerSession::heard(Instant now) {
  if (quiet_ && !timed_out_) emit(PeerQuiet{false, now - last_heard_});
  quiet_ = false;
  last_heard_ = now;
}

void PeerSession::close(Instant now) {
  if (closed_) return;
  send_rtcp(now, true);
  congestion_.clear();
  second_copies_.clear();
  closed_ = true;
}

std::optional<SessionOutput> PeerSession::poll_output() {
  if (outputs_.empty()) return std::nullopt;
  SessionOutput out = std::move(outputs_.front());
  outputs_.pop_front();
  return out;
}

Instant PeerSession::next_timeout() const {
  Instant next = std::min(next_rtcp_, congestion_.next_timeout());
  if (!second_copies_.empty()) next = std::min(next, second_copies_.front().due);
  if (feedback_generator_)
    if (auto due = feedback_generator_->next_timeout()) next = std::min(next, *due);
  if (!timed_out_ && !peer_hung_up_)
    next = std::min(next, last_heard_ + (quiet_ ? config_.peer_timeout : std::min(config_.peer_quiet, config_.peer_timeout)));
  if (awaiting_keyframe_ && last_keyframe_request_)
    next = std::min(next, *last_keyframe_request_ + keyframe_request_interval(config_.recovery, recovery_rtt()));
  for (const ReceiveEntry& r : streams_.receiving()) {
    if (r.depacketizer)
      if (auto wait = r.depacketizer->next_timeout()) next = std::min(next, *wait);
    if (r.nack && r.rtp.remote_ssrc() != 0)
      if (auto ask = r.nack->next_timeout(recovery_rtt())) next = std::min(next, *ask);
  }
  return next;
}

SessionStats PeerSession::stats() const {
  SessionStats s;
  auto add_out = [](OutgoingStreamStats& out, const OutgoingStreamStats& in) {
    out.packets += in.packets;
    out.bytes += in.bytes;
    out.frames += in.frames;
    out.keyframes += in.keyframes;
    out.keyframe_requests_received += in.keyframe_requests_received;
    out.remote_fraction_lost = std::max(out.remote_fraction_lost, in.remote_fraction_lost);
    out.remote_cumulative_lost += in.remote_cumulative_lost;
  };
  for (const SendEntry& e : streams_.sending()) {
    OutgoingStreamStats& out = e.config.kind == MediaKind::kVideo ? s.video_out : s.audio_out;
    add_out(out, e.rtp.stats());
    out.packets_superseded += e.superseded_unsent;
    if (!e.retransmitter) continue;
    const RetransmitterStats& rs = e.retransmitter->stats();
    out.nacks_received += rs.nacks_received;
    out.packets_retransmitted += rs.packets_retransmitted;
    out.retransmitted_bytes += rs.retransmitted_bytes;
    out.retransmit_unavailable += rs.packets_unavailable;
    out.retransmit_superseded += rs.packets_superseded;
  }
  for (const SendEntry& e : streams_.sending()) {
    if (!e.fec) continue;
    OutgoingStreamStats& out = s.video_out;
    out.fec_packets_sent += e.fec->stats().fec_packets;
    out.fec_bytes_sent += e.fec->stats().fec_bytes;
    out.fec_protection_loss = e.fec->loss_rate();
  }
  for (const ReceiveEntry& e : streams_.receiving()) {
    IncomingStreamStats& in = e.config.kind == MediaKind::kVideo ? s.video_in : s.audio_in;
    const ReceiveStatistics& rs = e.rtp.statistics();
    in.packets += rs.packets_received();
    in.bytes += rs.bytes_received();
    in.packets_lost += rs.packets_lost();
    in.packets_reordered += rs.reordered();
    in.packets_duplicate += rs.duplicates();
    in.jitter_ms = std::max(in.jitter_ms, rs.jitter_seconds() * 1000.0);
    if (e.depacketizer) {
      const auto& dp = e.depacketizer->stats();
      in.frames += dp.frames_complete;
      in.frames_lost += dp.frames_lost;
      in.frames_waited += dp.frames_waited;
      s.datagrams_malformed += dp.packets_malformed + e.rtx_malformed;
      in.rtx_received += e.rtx_received;
      in.fec_packets_received += e.fec_received;
      if (e.fec) {
        in.packets_recovered_by_fec += e.fec->stats().packets_recovered;
        in.fec_unrecoverable += e.fec->stats().unrecoverable;
      }
      if (e.nack) {
        const NackGeneratorStats& ns = e.nack->stats();
        in.nacks_sent += ns.nacks_sent;
        in.packets_nacked += ns.packets_nacked;
        in.packets_recovered += ns.packets_recovered;
        in.packets_unrecovered += ns.packets_given_up;
      }
    } else {
      in.frames += e.audio_frames;
      in.packets_too_late += e.audio_too_late;
    }
  }
  s.video_in.keyframe_requests_sent = keyframe_requests_sent_;
  s.datagrams_malformed += malformed_;
  s.datagrams_unexpected = unexpected_;
  s.rtcp_unknown_ssrc = rtcp_unknown_ssrc_;
  s.rtt = rtt_;
  congestion_.fill(s.congestion, last_now_);
  s.congestion.transport_feedback_sent = feedback_sent_;
  return s;
}

}  // namespace peercall
