#pragma once
// Sender side of FlexFEC (RFC 8627, flexible mask, R=0 F=0): turns the RTP
// packets of one video frame into repair packets on the FEC stream's own SSRC,
// payload type and sequence numbers, sized by the measured loss rate (the rule
// is in fec/fec_protection.hpp). Sans-I/O: bytes in, bytes out.
#include <cstdint>
#include <map>
#include <utility>
#include <span>
#include <vector>

#include "core/bytes.hpp"
#include "core/result.hpp"
#include "fec/fec_protection.hpp"

namespace peercall {

struct FecEncoderConfig {
  uint32_t fec_ssrc = 0;
  uint8_t fec_payload_type = 0;
  uint16_t first_sequence_number = 0;  // random per RFC 3550
  FecProtectionPolicy policy;
};

struct FecEncoderStats {
  uint64_t frames = 0;
  uint64_t protected_frames = 0;
  uint64_t media_packets = 0;
  uint64_t media_bytes = 0;
  uint64_t fec_packets = 0;
  uint64_t fec_bytes = 0;
  // FEC bytes per media byte (0.25 = 25% more on the wire), RTP level.
  double byte_overhead() const { return media_bytes ? double(fec_bytes) / double(media_bytes) : 0; }
};

class FecEncoder {
 public:
  explicit FecEncoder(const FecEncoderConfig& config);

  // Fraction of packets lost on the path (0..1), e.g. from RTCP receiver
  // reports; burst_length is the typical run of consecutive losses (1 = random).
  void set_loss_rate(double fraction, size_t burst_length = 1);
  double loss_rate() const { return loss_; }

  // `media` are the frame's RTP packets as they go on the wire before SRTP:
  // one SSRC, consecutive sequence numbers, at least 12 bytes each. Returns
  // the repair packets (none at zero loss), each with the frame's timestamp.
  Result<std::vector<Bytes>> protect_frame(std::span<const ByteView> media, bool keyframe);
  Result<std::vector<Bytes>> protect_frame(const std::vector<Bytes>& media, bool keyframe);

  // The plan protect_frame would use for a frame of `packets` packets.
  FecProtectionPlan plan(size_t packets, bool keyframe) const;

  const FecEncoderStats& stats() const { return stats_; }
  uint16_t next_sequence_number() const { return sequence_; }

 private:
  FecEncoderConfig config_;
  double loss_ = 0;
  size_t burst_ = 1;
  uint16_t sequence_;
  FecEncoderStats stats_;
  // Plans by (packets, keyframe) for the current loss figures: planning a
  // large frame scores many layouts, and loss reports change about once a second.
  mutable std::map<std::pair<size_t, bool>, FecProtectionPlan> plans_;
};

}  // namespace peercall
