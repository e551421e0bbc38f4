#pragma once
// The receiving half of one RTP stream, common to audio and video: learns the
// peer's SSRC, keeps RFC 3550 reception statistics, remembers the peer's last
// sender report (for LSR/DLSR) and maps RTP time onto our clock.
#include <optional>

#include "rtp/receive_statistics.hpp"
#include "rtp/rtcp_packet.hpp"
#include "rtp/rtp_packet.hpp"
#include "rtp/sequence_unwrapper.hpp"
#include "session/rtp_time_mapper.hpp"
#include "session/session_config.hpp"

namespace peercall {

class RtpReceiveStream {
 public:
  explicit RtpReceiveStream(const StreamConfig& config);

  // Whether a packet with this SSRC belongs here (learning the SSRC if unknown).
  bool accepts(uint32_t ssrc);
  // Counts the packet; false for a duplicate, which the caller drops.
  bool on_packet(const RtpPacketView& packet, Instant arrival);
  // Extended (unwrapped) sequence number of the packet just accepted.
  int64_t last_sequence() const { return last_sequence_; }
  // A 16-bit sequence number extended to the one nearest the last accepted
  // (for retransmitted packets, which bypass on_packet).
  int64_t extend_sequence(uint16_t seq) const {
    return last_sequence_ + int16_t(uint16_t(seq - uint16_t(last_sequence_)));
  }
  // The sender's capture instant of a timestamp, on our clock.
  Instant capture_time(uint32_t rtp_timestamp) const { return time_mapper_.map(rtp_timestamp); }
  // The same with the sender's intervals kept exactly (RtpTimeMapper::map_steady).
  Instant steady_capture_time(uint32_t rtp_timestamp) const { return time_mapper_.map_steady(rtp_timestamp); }

  void on_sender_report(const SenderReport& sr, Instant arrival);
  // The capture instant of a timestamp on the sender's clock (microseconds),
  // from its last sender report; 0 before the first one.
  int64_t sender_time_us(uint32_t rtp_timestamp) const;
  bool active() const { return remote_ssrc_ != 0 && stats_.packets_received() > 0; }
  uint32_t remote_ssrc() const { return remote_ssrc_; }
  ReportBlock report_block(Instant now);
  const ReceiveStatistics& statistics() const { return stats_; }

 private:
  uint32_t remote_ssrc_;
  uint32_t clock_rate_;
  ReceiveStatistics stats_;
  SequenceUnwrapper unwrapper_;
  RtpTimeMapper time_mapper_;
  int64_t last_sequence_ = 0;
  uint32_t last_sr_compact_ = 0;
  int64_t last_sr_sender_us_ = 0;  // the report's NTP time, as sender-clock microseconds
  uint32_t last_sr_rtp_ = 0;
  Instant last_sr_arrival_{};
};

}  // namespace peercall
