#pragma once
// Sender side of video FEC: turns the RTP packets of one video frame into
// repair packets, sized by the measured loss rate (the rule is in
// fec/fec_protection.hpp). Two formats over the same XOR:
//  - FlexFEC (RFC 8627, flexible mask, R=0 F=0), between peercalls: repairs
//    on the FEC stream's own SSRC, payload type and sequence numbers.
//  - ULPFEC (RFC 5109) in RED (RFC 2198), for browsers: repairs on the media
//    SSRC, taking the media stream's next sequence numbers, PT red with a
//    block of the ULPFEC type; masks of at most 48 packets.
// Sans-I/O: bytes in, bytes out.
#include <cstdint>
#include <map>
#include <tuple>
#include <utility>
#include <span>
#include <vector>

#include "core/bytes.hpp"
#include "core/result.hpp"
#include "fec/fec_protection.hpp"
#include "rtp/rtp_packet.hpp"

namespace peercall {

enum class FecFormat { kFlexFec, kUlpfec };

struct FecEncoderConfig {
  FecFormat format = FecFormat::kFlexFec;
  uint32_t fec_ssrc = 0;         // FlexFEC only
  uint8_t fec_payload_type = 0;  // FlexFEC's, or ULPFEC's (the RED block type)
  uint8_t red_payload_type = 0;  // ULPFEC only
  uint16_t first_sequence_number = 0;  // FlexFEC: random per RFC 3550
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

  // The most repair packets may add, as a share of media packets over time
  // (0..1; the policy's caps still apply per frame). Each frame adds its share
  // to a credit two repairs deep, and a frame gets no more repairs than the
  // credit holds: one-packet frames are protected every other frame instead of
  // each doubled, and with 0 (a congested link already at the video floor,
  // where repairs would only fill the queue) FEC stops after the credit.
  void set_overhead_budget(double fraction);

  // `media` are the frame's RTP packets as the receiver will rebuild them
  // before SRTP: one SSRC, consecutive sequence numbers, at least 12 bytes
  // each (for ULPFEC the packets inside the RED blocks, header extensions as
  // sent). Returns the repair packets (none at zero loss), each with the
  // frame's timestamp. ULPFEC repairs take their sequence numbers from
  // `*media_sequence` (the media stream's next), which must then be given.
  Result<std::vector<Bytes>> protect_frame(std::span<const ByteView> media, bool keyframe,
                                           uint16_t* media_sequence = nullptr);
  Result<std::vector<Bytes>> protect_frame(const std::vector<Bytes>& media, bool keyframe,
                                           uint16_t* media_sequence = nullptr);

  // The plan protect_frame would use for a frame of `packets` packets, with
  // at most `max_repairs` repairs (the credit's).
  FecProtectionPlan plan(size_t packets, bool keyframe, size_t max_repairs = SIZE_MAX) const;

  const FecEncoderStats& stats() const { return stats_; }
  uint16_t next_sequence_number() const { return sequence_; }

 private:
  static constexpr double kCreditDepth = 2.0;
  Bytes flexfec_repair(const std::vector<size_t>& group, const std::vector<RtpPacketView>& parsed,
                       Bytes acc);
  Bytes ulpfec_repair(const std::vector<size_t>& group, const std::vector<RtpPacketView>& parsed,
                      Bytes acc, uint16_t sequence);
  FecEncoderConfig config_;
  double loss_ = 0;
  size_t burst_ = 1;
  double budget_ = 1.0;
  double credit_ = kCreditDepth;  // in repair packets
  uint16_t sequence_;
  FecEncoderStats stats_;
  // Plans by (packets, keyframe, repair cap) for the current loss figures:
  // planning a large frame scores many layouts, and loss reports change about
  // once a second.
  mutable std::map<std::tuple<size_t, bool, size_t>, FecProtectionPlan> plans_;
};

}  // namespace peercall
