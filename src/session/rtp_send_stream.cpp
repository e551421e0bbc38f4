#include "session/rtp_send_stream.hpp"

#include "rtp/ntp_time.hpp"
#include "rtp/red_packet.hpp"
#include "rtp/rtp_packet.hpp"

namespace peercall {

RtpSendStream::RtpSendStream(const StreamConfig& config, uint16_t first_sequence,
                             uint32_t timestamp_offset)
    : config_(config), next_sequence_(first_sequence), timestamp_offset_(timestamp_offset) {}

void RtpSendStream::send_frame(const std::vector<Bytes>& payloads, uint32_t media_timestamp,
                               Instant capture_time, bool keyframe, Instant now,
                               Retransmitter* history, std::deque<SessionOutput>& out) {
  const bool red = config_.red_payload_type != 0;
  RtpHeader header;
  header.payload_type = red ? config_.red_payload_type : config_.payload_type;
  header.ssrc = config_.local_ssrc;
  header.timestamp = media_timestamp + timestamp_offset_;
  for (size_t i = 0; i < payloads.size(); ++i) {
    header.sequence_number = next_sequence_++;
    header.marker = (i + 1 == payloads.size());
    Transmit t;
    t.datagram.reserve(12 + kRedHeaderSize + payloads[i].size());
    if (red) {
      write_rtp(header, {}, t.datagram);
      write_red_payload(config_.payload_type, payloads[i], t.datagram);
    } else {
      write_rtp(header, payloads[i], t.datagram);
    }
    if (history) history->remember(header.sequence_number, t.datagram, now);
    out.emplace_back(std::move(t));
    ++stats_.packets;
    stats_.bytes += payloads[i].size();
    octets_ += static_cast<uint32_t>(payloads[i].size());
  }
  last_rtp_timestamp_ = header.timestamp;
  last_capture_time_ = capture_time;
  ++stats_.frames;
  if (keyframe) ++stats_.keyframes;
}

SenderReport RtpSendStream::sender_report(Instant now) const {
  SenderReport sr;
  sr.ssrc = config_.local_ssrc;
  sr.ntp_timestamp = instant_to_ntp(now);
  // Extrapolate the RTP clock from the last frame sent to "now".
  const int64_t elapsed_us = to_micros(now - last_capture_time_);
  sr.rtp_timestamp = last_rtp_timestamp_ +
                     static_cast<uint32_t>(elapsed_us * int64_t(config_.clock_rate) / 1'000'000);
  sr.packet_count = static_cast<uint32_t>(stats_.packets + repair_packets_);
  sr.octet_count = octets_;
  return sr;
}

void RtpSendStream::on_report_block(const ReportBlock& block) {
  stats_.remote_fraction_lost = block.fraction_lost / 256.0;
  stats_.remote_cumulative_lost = block.cumulative_lost;
}

}  // namespace peercall
