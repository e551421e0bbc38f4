#include "session/sent_frame_collector.hpp"

#include "rtp/red_packet.hpp"
#include "rtp/rtp_packet.hpp"

namespace peercall {
namespace {

constexpr size_t kRememberedFrames = 16;

}  // namespace

void SentFrameCollector::note_frame(uint32_t rtp_timestamp, bool keyframe) {
  keyframes_.emplace_back(rtp_timestamp, keyframe);
  if (keyframes_.size() > kRememberedFrames) keyframes_.pop_front();
}

std::optional<SentFrameCollector::Frame> SentFrameCollector::on_sent(ByteView packet) {
  if (packet.size() < kRtpHeaderSize || peek_rtp_ssrc(packet) != ssrc_ ||
      (packet[1] & 0x7f) != red_payload_type_)
    return std::nullopt;
  auto inner = packet_inside_red(packet);
  if (!inner || ((*inner)[1] & 0x7f) != media_payload_type_) return std::nullopt;  // a repair
  const uint32_t timestamp = peek_rtp_timestamp(packet);
  const uint16_t sequence = peek_rtp_sequence(packet);
  if (timestamp_ != timestamp) {
    // A resend of an earlier frame's packet (no RTX) is older than the frame
    // being collected; the first packet of a new frame is newer.
    if (timestamp_ && int16_t(uint16_t(sequence - next_sequence_)) < 0) return std::nullopt;
    if (timestamp_ && !current_.packets.empty()) ++incomplete_;
    timestamp_ = timestamp;
    current_ = Frame{};
    broken_ = false;
    for (const auto& [ts, key] : keyframes_)
      if (ts == timestamp) current_.keyframe = key;
  } else if (sequence != next_sequence_) {
    if (int16_t(uint16_t(sequence - next_sequence_)) < 0) return std::nullopt;  // a resend
    broken_ = true;  // one was dropped unsent
  }
  next_sequence_ = uint16_t(sequence + 1);
  if (broken_) return std::nullopt;
  current_.packets.push_back(std::move(*inner));
  if (!(packet[1] & 0x80)) return std::nullopt;  // not the marker: more to come
  ++frames_;
  Frame done = std::move(current_);
  current_ = Frame{};
  broken_ = true;  // until the next frame starts
  return done;
}

}  // namespace peercall
