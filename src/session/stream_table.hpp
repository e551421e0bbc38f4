#pragma once
// The session's streams by SSRC and MID: one send half and/or one receive half
// per negotiated m-line. Incoming RTP is routed by the remote SSRC the SDP
// signalled (or, when it did not, latched from the first packet carrying that
// m-line's payload type); RTCP finds its stream by the SSRC it names.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "packet/h264_depacketizer.hpp"
#include "session/rtp_receive_stream.hpp"
#include "session/rtp_send_stream.hpp"
#include "session/session_config.hpp"

namespace peercall {

struct SendEntry {
  StreamConfig config;
  RtpSendStream rtp;
};

struct ReceiveEntry {
  StreamConfig config;
  RtpReceiveStream rtp;
  // Video: reassembles access units. Audio: the last sequence number played.
  std::unique_ptr<H264Depacketizer> depacketizer;
  std::optional<int64_t> last_audio_sequence;
  uint64_t audio_frames = 0;
  uint64_t audio_too_late = 0;
};

class StreamTable {
 public:
  // `random` gives each send stream its first sequence number and timestamp offset.
  template <class Random>
  StreamTable(const std::vector<StreamConfig>& streams, Random& random) {
    for (const StreamConfig& s : streams) {
      if (s.send) send_.push_back({s, RtpSendStream(s, uint16_t(random()), uint32_t(random()))});
      if (s.receive) {
        ReceiveEntry r{s, RtpReceiveStream(s), nullptr};
        if (s.kind == MediaKind::kVideo) r.depacketizer = std::make_unique<H264Depacketizer>();
        receive_.push_back(std::move(r));
      }
    }
  }

  // The receive stream an RTP packet belongs to, or null (counted by the caller).
  ReceiveEntry* route(uint32_t ssrc, uint8_t payload_type);
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
