#pragma once
// The sending half of one RTP stream: owns SSRC, sequence numbers, the random
// timestamp offset and the counters that go into sender reports.
#include <deque>
#include <vector>

#include "rtp/rtcp_packet.hpp"
#include "session/retransmitter.hpp"
#include "session/session_config.hpp"
#include "session/session_events.hpp"
#include "session/session_stats.hpp"

namespace peercall {

class RtpSendStream {
 public:
  RtpSendStream(const StreamConfig& config, uint16_t first_sequence, uint32_t timestamp_offset);

  // Wraps one frame's payloads in RTP headers (marker on the last; in a RED
  // block when config.red_payload_type is set) and queues them; a copy of
  // each goes to `history` (if any) for retransmission.
  void send_frame(const std::vector<Bytes>& payloads, uint32_t media_timestamp,
                  Instant capture_time, bool keyframe, Instant now, Retransmitter* history,
                  std::deque<SessionOutput>& out);

  bool has_sent() const { return stats_.packets > 0; }
  uint16_t next_sequence() const { return next_sequence_; }
  // Sequence numbers shared with ULPFEC repairs (on the media SSRC): the
  // caller takes what it used.
  uint16_t& sequence() { return next_sequence_; }
  // A ULPFEC repair sent on our SSRC: in the sender report's counts (RFC
  // 3550 counts every packet of the SSRC), not in the media stats.
  void count_repair(size_t payload_bytes) {
    ++repair_packets_;
    octets_ += static_cast<uint32_t>(payload_bytes);
  }
  uint32_t ssrc() const { return config_.local_ssrc; }
  SenderReport sender_report(Instant now) const;
  void on_report_block(const ReportBlock& block);
  void on_keyframe_request() { ++stats_.keyframe_requests_received; }
  const OutgoingStreamStats& stats() const { return stats_; }

 private:
  StreamConfig config_;
  uint16_t next_sequence_;
  uint32_t timestamp_offset_;
  uint32_t last_rtp_timestamp_ = 0;
  Instant last_capture_time_{};
  uint32_t octets_ = 0;  // wraps, per RFC 3550
  uint64_t repair_packets_ = 0;
  OutgoingStreamStats stats_;
};

}  // namespace peercall
