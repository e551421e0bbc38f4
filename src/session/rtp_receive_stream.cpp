#include "session/rtp_receive_stream.hpp"

#include <algorithm>

#include "rtp/ntp_time.hpp"

namespace peercall {

RtpReceiveStream::RtpReceiveStream(const StreamConfig& config)
    : remote_ssrc_(config.remote_ssrc),
      clock_rate_(config.clock_rate),
      stats_(config.clock_rate),
      time_mapper_(config.clock_rate) {}

bool RtpReceiveStream::accepts(uint32_t ssrc) {
  if (remote_ssrc_ == 0) remote_ssrc_ = ssrc;  // SDP did not say: latch the first one
  return ssrc == remote_ssrc_;
}

bool RtpReceiveStream::on_packet(const RtpPacketView& packet, Instant arrival) {
  const auto& h = packet.header;
  if (!stats_.on_packet(h.sequence_number, h.timestamp, arrival, packet.payload.size()))
    return false;
  last_sequence_ = unwrapper_.unwrap(h.sequence_number);
  time_mapper_.on_packet(h.timestamp, arrival);
  return true;
}

void RtpReceiveStream::on_sender_report(const SenderReport& sr, Instant arrival) {
  last_sr_compact_ = compact_ntp(sr.ntp_timestamp);
  last_sr_arrival_ = arrival;
  last_sr_sender_us_ = std::max<int64_t>(1, to_micros(ntp_to_instant(sr.ntp_timestamp)));
  last_sr_rtp_ = sr.rtp_timestamp;
}

int64_t RtpReceiveStream::sender_time_us(uint32_t rtp_timestamp) const {
  if (last_sr_sender_us_ == 0 || clock_rate_ == 0) return 0;
  const int64_t ticks = static_cast<int32_t>(rtp_timestamp - last_sr_rtp_);
  return last_sr_sender_us_ + ticks * 1'000'000 / int64_t(clock_rate_);
}

ReportBlock RtpReceiveStream::report_block(Instant now) {
  return stats_.make_report_block(remote_ssrc_, last_sr_compact_, last_sr_arrival_, now);
}

}  // namespace peercall
