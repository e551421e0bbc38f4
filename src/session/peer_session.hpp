#pragma once
// The sans-I/O media session with one peer: RTP/RTCP for the negotiated
// streams (a table by SSRC and MID), bundled on one transport with RTCP muxed
// (RFC 5761). It sees plain RTP/RTCP: SRTP sits below it (PeerConnection).
//
// Driven like str0m: feed it datagrams, frames and timeouts, each with the
// current instant; then drain poll_output() (datagrams to send, events) and
// sleep until next_timeout(). It owns no socket, thread or clock, so tests run
// two sessions over a simulated network on a virtual clock.
//
// Video loss recovery, in this order: the send stream keeps what it sent in
// a packet history and its retransmitter answers the peer's NACKs with RTX;
// the receive stream's NACK generator asks for missing packets, RTX packets
// are unwrapped back into their media stream, and the frame assembler waits
// for them as long as the RTT allows before it gives a frame up and asks for
// a keyframe (all budgets in loss_recovery_timing.hpp).
//
// FlexFEC (RFC 8627, when negotiated for a video stream): each frame's
// packets are protected as written (no header extension), the repair packets
// follow the frame into the pacer; the receiver feeds the media packets, in
// that same form, and the repair packets to its FecReceiver, and the packets
// it rebuilds take the path of retransmitted ones (NACK generator, frame
// assembler; not the reception statistics, not the transport feedback).
//
// Congestion control (congestion_controller.hpp): all outgoing media RTP is
// paced; with transport-cc negotiated each packet carries a transport-wide
// sequence number stamped as it leaves the pacer, the receiver answers with
// TransportFeedback (TransportFeedbackGenerator, every ~50 ms), and the
// sender's bandwidth estimate sets the pacing rate and comes out as
// TargetBitrate events for the encoder.
#include <deque>
#include <optional>
#include <random>

#include "cc/transport_feedback_generator.hpp"
#include "packet/h264_depacketizer.hpp"
#include "packet/h264_packetizer.hpp"
#include "session/congestion_controller.hpp"
#include "session/stream_table.hpp"
#include "session/session_config.hpp"
#include "session/session_events.hpp"
#include "session/session_stats.hpp"

namespace peercall {

class PeerSession {
 public:
  PeerSession(const SessionConfig& config, Instant now);

  void handle_datagram(ByteView datagram, Instant now);
  // An H.264 access unit (Annex B) or an Opus packet from the local encoders,
  // sent on the first send stream of that kind (if any).
  void send_video(const EncodedFrame& frame, Instant now);
  void send_audio(const EncodedFrame& frame, Instant now);
  void handle_timeout(Instant now);
  // Says goodbye (RTCP BYE); the session sends nothing afterwards.
  void close(Instant now);
  // The decoder lost its reference (e.g. a decode error): ask for a keyframe.
  void request_keyframe(Instant now);

  std::optional<SessionOutput> poll_output();
  Instant next_timeout() const;

  bool closed() const { return closed_; }
  SessionStats stats() const;

 private:
  void handle_rtp(ByteView datagram, Instant now);
  void handle_rtcp(ByteView datagram, Instant now);
  void handle_rtx(ReceiveEntry& stream, const RtpPacketView& rtx, Instant now);
  void handle_fec(ReceiveEntry& stream, ByteView datagram, Instant now);
  bool is_red(const ReceiveEntry& stream, const RtpPacketView& packet) const;
  enum class RedContent { kNone, kMedia, kRepair };
  RedContent unwrap_red(ReceiveEntry& stream, RtpPacketView& packet);
  // kRtx (unwrapped from RTX) and kFec (rebuilt by FlexFEC) bypass the
  // reception statistics, which thus count the loss before recovery.
  enum class Origin { kMedia, kRtx, kFec };
  // `padding`: a packet of the sequence without media (a ULPFEC repair).
  void receive_video(ReceiveEntry& stream, const RtpPacketView& packet, Instant now, Origin origin,
                     bool padding = false);
  void feed_fec(ReceiveEntry& stream, const RtpPacketView& packet, Instant now);
  void receive_recovered(ReceiveEntry& stream, const std::vector<Bytes>& packets, Instant now);
  bool ensure_fec_receiver(ReceiveEntry& stream);
  void deliver_frames(ReceiveEntry& stream, Instant now);
  void send_nacks(Instant now);
  void on_nack(const GenericNack& nack, Instant now);
  Duration recovery_rtt() const { return rtt_.value_or(config_.recovery.default_rtt); }
  void receive_audio(ReceiveEntry& stream, const RtpPacketView& packet, Instant now);
  void on_report_blocks(uint32_t reporter, const std::vector<ReportBlock>& blocks, Instant now);
  bool from_peer(const Bye& bye) const;
  void send_rtcp(Instant now, bool bye);
  void send_keyframe_request(Instant now);
  void send_on(MediaKind kind, const EncodedFrame& frame, Instant now);
  // Moves the Transmits in `produced` into the pacer, then sends what is due.
  // Nothing of `stream` before `first_new` is sent or resent any more.
  void supersede_before(SendEntry& stream, uint16_t first_new);
  void pace(std::deque<SessionOutput>& produced, PacketPriority priority, Instant now);
  void send_paced(Instant now);
  void update_fec_inputs(FecEncoder& fec);
  void on_transport_feedback(const TransportFeedback& feedback, Instant now);
  void send_transport_feedback(Instant now);
  void report_target(Instant now);
  double protection_overhead(Instant now);
  void emit(SessionEvent event) { outputs_.emplace_back(std::move(event)); }
  void heard(Instant now);  // an authenticated packet from the peer
  void send_second_copies(Instant now);

  SessionConfig config_;
  std::mt19937 rng_;
  std::deque<SessionOutput> outputs_;
  bool closed_ = false;
  bool timed_out_ = false;
  bool quiet_ = false;  // nothing heard for peer_quiet: said once, and once when heard again
  bool peer_hung_up_ = false;

  H264Packetizer packetizer_;
  StreamTable streams_;
  std::vector<uint32_t> peer_rtcp_ssrcs_;  // who reported on our streams (recvonly peers' RTCP)

  std::optional<Instant> last_keyframe_request_;
  bool awaiting_keyframe_ = false;
  uint64_t keyframe_requests_sent_ = 0;

  // Second copies of NACKs and retransmissions, sent kSecondCopyDelay after the first.
  struct SecondCopy {
    Instant due;
    Bytes datagram;
    bool retransmission;  // paced; a NACK goes out directly
  };
  std::deque<SecondCopy> second_copies_;

  Instant last_heard_;
  Instant next_rtcp_;
  std::optional<Duration> rtt_;
  uint64_t malformed_ = 0;
  uint64_t unexpected_ = 0;
  uint64_t rtcp_unknown_ssrc_ = 0;

  CongestionController congestion_;
  std::unique_ptr<TransportFeedbackGenerator> feedback_generator_;  // with transport-cc only
  uint64_t feedback_sent_ = 0;
  Instant last_now_;  // for stats() (the pacer's waits)
};

}  // namespace peercall
