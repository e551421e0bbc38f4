#pragma once
// The session's streams by SSRC and MID: one send half and/or one receive half
// per negotiated m-line. Incoming RTP is routed by the remote SSRC the SDP
// signalled (or, when it did not, latched from the first packet carrying that
// m-line's payload type); RTCP finds its stream by the SSRC it names. A video
// stream with NACK also has a retransmitter (send) or a NACK generator
// (receive); RTX packets are routed to their media stream by the RTX SSRC
// (signalled by a=ssrc-group:FID, or latched from the RTX payload type).
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "fec/fec_encoder.hpp"
#include "fec/fec_receiver.hpp"
#include "packet/h264_depacketizer.hpp"
#include "session/nack_generator.hpp"
#include "session/retransmitter.hpp"
#include "session/rtp_receive_stream.hpp"
#include "session/rtp_send_stream.hpp"
#include "session/sent_frame_collector.hpp"
#include "session/session_config.hpp"

namespace peercall {

struct SendEntry {
  StreamConfig config;
  RtpSendStream rtp;
  std::unique_ptr<Retransmitter> retransmitter;  // video with NACK only
  std::unique_ptr<FecEncoder> fec;               // video with FlexFEC or ULPFEC only
  std::unique_ptr<SentFrameCollector> sent_frames;  // ULPFEC only: frames protected as they leave
  uint64_t superseded_unsent = 0;  // queued packets a keyframe made useless, dropped unsent
  // Protection (FEC + RTX) bytes per media byte over the last 1-2 s, for the
  // video encoder's share of the target: counters at the start of the
  // previous and of the current one-second window.
  struct ProtectionMark {
    uint64_t media_bytes = 0;
    uint64_t protection_bytes = 0;
  };
  ProtectionMark previous_mark, current_mark;
  std::optional<Instant> mark_rolled;
};

struct ReceiveEntry {
  StreamConfig config;
  RtpReceiveStream rtp;
  // Video: reassembles access units. Audio: the last sequence number played.
  std::unique_ptr<H264Depacketizer> depacketizer;
  std::optional<int64_t> last_audio_sequence;
  uint64_t audio_frames = 0;
  uint64_t audio_too_late = 0;
  // Video with NACK only: asks for lost packets; the peer's RTX SSRC (0 until known).
  std::unique_ptr<NackGenerator> nack;
  uint32_t remote_rtx_ssrc = 0;
  uint64_t rtx_received = 0;   // RTX packets unwrapped into this stream
  uint64_t rtx_malformed = 0;  // RTX packets too short to carry a sequence number
  // Video with FlexFEC only (config.fec_payload_type != 0): the peer's FEC
  // SSRC (0 until known) and the receiver, made once both SSRCs are known.
  uint32_t remote_fec_ssrc = 0;
  std::unique_ptr<FecReceiver> fec;
  uint64_t fec_received = 0;  // FEC packets routed here, before the receiver existed too
  // Video: when the last first-copy packet arrived and the highest sequence
  // so far (a gap after a silence is not repaired, see PeerSession).
  std::optional<Instant> last_video_arrival;
  std::optional<int64_t> highest_video_seq;
};

class StreamTable {
 public:
  // `random` gives each send stream its first sequence numbers and timestamp offset.
  template <class Random>
  StreamTable(const std::vector<StreamConfig>& streams, const LossRecoveryConfig& recovery,
              Random& random) {
    for (const StreamConfig& s : streams) {
      const bool nack = s.kind == MediaKind::kVideo && s.nack;
      if (s.send) {
        SendEntry e{s, RtpSendStream(s, uint16_t(random()), uint32_t(random())), nullptr};
        if (nack) e.retransmitter = std::make_unique<Retransmitter>(s, recovery, uint16_t(random()));
        if (s.kind == MediaKind::kVideo && s.fec_payload_type != 0 && s.local_fec_ssrc != 0) {
          FecEncoderConfig fc;
          fc.fec_ssrc = s.local_fec_ssrc;
          fc.fec_payload_type = s.fec_payload_type;
          fc.first_sequence_number = uint16_t(random());
          e.fec = std::make_unique<FecEncoder>(fc);
        } else if (s.kind == MediaKind::kVideo && s.red_payload_type != 0 && s.ulpfec_payload_type != 0) {
          FecEncoderConfig fc;
          fc.format = FecFormat::kUlpfec;
          fc.fec_payload_type = s.ulpfec_payload_type;
          fc.red_payload_type = s.red_payload_type;
          e.fec = std::make_unique<FecEncoder>(fc);
          e.sent_frames = std::make_unique<SentFrameCollector>(s.local_ssrc, s.red_payload_type, s.payload_type);
        }
        send_.push_back(std::move(e));
      }
      if (s.receive) {
        ReceiveEntry r{s, RtpReceiveStream(s), nullptr};
        if (s.kind == MediaKind::kVideo) r.depacketizer = std::make_unique<H264Depacketizer>();
        if (nack) r.nack = std::make_unique<NackGenerator>(recovery);
        r.remote_rtx_ssrc = s.remote_rtx_ssrc;
        if (s.kind == MediaKind::kVideo) r.remote_fec_ssrc = s.remote_fec_ssrc;
        receive_.push_back(std::move(r));
      }
    }
  }

  // The receive stream an RTP packet belongs to, or null (counted by the
  // caller); RED packets (payload type red) are routed too.
  ReceiveEntry* route(uint32_t ssrc, uint8_t payload_type);
  // The receive stream an RTX packet repairs, or null (learning the RTX SSRC if unknown).
  ReceiveEntry* route_rtx(uint32_t ssrc, uint8_t payload_type);
  // The receive stream a FlexFEC packet protects, or null (learning the FEC SSRC if unknown).
  ReceiveEntry* route_fec(uint32_t ssrc, uint8_t payload_type);
  ReceiveEntry* receive_by_remote_ssrc(uint32_t ssrc);
  SendEntry* send_by_local_ssrc(uint32_t ssrc);
  SendEntry* first_send(MediaKind kind);
  bool is_remote_ssrc(uint32_t ssrc) const;
  bool receives(MediaKind kind) const;
  // Our SSRC for RTCP that is not about a send stream (RR, PLI, SDES, BYE).
  uint32_t rtcp_ssrc() const;
  std::vector<uint32_t> local_ssrcs() const;

  std::vector<SendEntry>& sending() { return send_; }
  std::vector<ReceiveEntry>& receiving() { return receive_; }
  const std::vector<SendEntry>& sending() const { return send_; }
  const std::vector<ReceiveEntry>& receiving() const { return receive_; }

 private:
  std::vector<SendEntry> send_;
  std::vector<ReceiveEntry> receive_;
  uint32_t fallback_rtcp_ssrc_ = 1;
};

}  // namespace peercall
