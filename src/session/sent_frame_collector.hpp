#pragma once
// ULPFEC repairs protect video packets as the receiver rebuilds them: with
// the header extensions they left with (libwebrtc keeps the transport-wide
// sequence number in its XOR), and that number is stamped only as a packet
// leaves the pacer. So a RED stream's frames are protected there, on the
// way out, as libwebrtc does too: this collects one stream's packets as they
// leave, in the form a repair covers (rtp/red_packet.hpp), and hands over a
// frame once its last packet (marker) has gone. Sans-I/O.
#include <cstdint>
#include <deque>
#include <optional>
#include <vector>

#include "core/bytes.hpp"

namespace peercall {

class SentFrameCollector {
 public:
  SentFrameCollector(uint32_t ssrc, uint8_t red_payload_type, uint8_t media_payload_type)
      : ssrc_(ssrc), red_payload_type_(red_payload_type), media_payload_type_(media_payload_type) {}

  // A frame of this RTP timestamp was packetized (whether it is a keyframe:
  // keyframes get more protection).
  void note_frame(uint32_t rtp_timestamp, bool keyframe);

  struct Frame {
    std::vector<Bytes> packets;  // consecutive sequence numbers, inside-RED form
    bool keyframe = false;
  };
  // A packet leaving the pacer (any stream's: others are ignored, as are
  // repairs and resends of earlier packets). The frame once it is whole; a
  // frame missing a packet (dropped unsent behind a keyframe) is never.
  std::optional<Frame> on_sent(ByteView packet);

  uint64_t frames() const { return frames_; }
  uint64_t incomplete() const { return incomplete_; }

 private:
  uint32_t ssrc_;
  uint8_t red_payload_type_;
  uint8_t media_payload_type_;
  std::deque<std::pair<uint32_t, bool>> keyframes_;  // (timestamp, keyframe), the last few
  std::optional<uint32_t> timestamp_;  // of the frame being collected
  uint16_t next_sequence_ = 0;
  bool broken_ = false;  // a packet of it was missing
  Frame current_;
  uint64_t frames_ = 0, incomplete_ = 0;
};

}  // namespace peercall
