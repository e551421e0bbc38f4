#include "fec/fec_encoder.hpp"

#include <algorithm>

#include "fec/fec_bit_string.hpp"
#include "fec/flexfec_packet.hpp"
#include "fec/ulpfec_packet.hpp"
#include "rtp/red_packet.hpp"

namespace peercall {

FecEncoder::FecEncoder(const FecEncoderConfig& config)
    : config_(config), sequence_(config.first_sequence_number) {
  if (config_.format == FecFormat::kUlpfec)
    config_.policy.max_mask_bits = std::min(config_.policy.max_mask_bits, kUlpfecMaxMaskBits);
}

void FecEncoder::set_loss_rate(double fraction, size_t burst_length) {
  const double loss = fraction >= 0 && fraction <= 1 ? fraction : 0;
  const size_t burst = burst_length == 0 ? 1 : burst_length;
  if (loss != loss_ || burst != burst_) plans_.clear();
  loss_ = loss;
  burst_ = burst;
}

void FecEncoder::set_overhead_budget(double fraction) {
  budget_ = fraction >= 0 ? std::min(fraction, 1.0) : 0.0;
}

FecProtectionPlan FecEncoder::plan(size_t packets, bool keyframe, size_t max_repairs) const {
  FecProtectionPolicy policy = config_.policy;
  double& cap = keyframe ? policy.keyframe_max_overhead : policy.max_overhead;
  // A cap of k repairs as the share plan_protection floors back to k.
  max_repairs = std::min(max_repairs, std::max<size_t>(1, size_t(double(packets) * cap)));
  cap = (double(max_repairs) + 0.5) / double(std::max<size_t>(packets, 1));
  const auto key = std::make_tuple(packets, keyframe, max_repairs);
  auto it = plans_.find(key);
  if (it == plans_.end()) {
    if (plans_.size() >= 256) plans_.clear();
    it = plans_.emplace(key, plan_protection(packets, loss_, burst_, keyframe, policy)).first;
  }
  return it->second;
}

Result<std::vector<Bytes>> FecEncoder::protect_frame(const std::vector<Bytes>& media,
                                                     bool keyframe, uint16_t* media_sequence) {
  std::vector<ByteView> views(media.begin(), media.end());
  return protect_frame(std::span<const ByteView>(views), keyframe, media_sequence);
}

Result<std::vector<Bytes>> FecEncoder::protect_frame(std::span<const ByteView> media,
                                                     bool keyframe, uint16_t* media_sequence) {
  if (media.empty()) return std::vector<Bytes>{};
  if (config_.format == FecFormat::kUlpfec && !media_sequence)
    return Error{"fec: ULPFEC needs the media sequence numbers"};
  std::vector<RtpPacketView> parsed;
  parsed.reserve(media.size());
  for (ByteView packet : media) {
    auto rtp = parse_rtp(packet);
    if (!rtp) return Error{"fec: media packet: " + rtp.error()};
    if (packet.size() - kRtpHeaderSize > 0xffff) return Error{"fec: media packet too long"};
    if (!parsed.empty()) {
      if (rtp->header.ssrc != parsed.front().header.ssrc) {
        return Error{"fec: frame packets on more than one SSRC"};
      }
      if (rtp->header.sequence_number != uint16_t(parsed.back().header.sequence_number + 1)) {
        return Error{"fec: frame packets not consecutive"};
      }
    }
    parsed.push_back(std::move(*rtp));
  }

  ++stats_.frames;
  stats_.media_packets += media.size();
  for (ByteView packet : media) stats_.media_bytes += packet.size();

  const double share =
      std::min(budget_, keyframe ? config_.policy.keyframe_max_overhead : config_.policy.max_overhead);
  const double frame_share = share * double(media.size());
  credit_ = std::min(credit_ + frame_share, frame_share + kCreditDepth);
  std::vector<Bytes> out;
  if (loss_ < config_.policy.min_loss || credit_ < 1.0) return out;
  const FecProtectionPlan protection = plan(media.size(), keyframe, size_t(credit_));
  if (protection.groups.empty()) return out;
  credit_ -= double(protection.groups.size());
  ++stats_.protected_frames;

  for (const auto& group : protection.groups) {
    Bytes acc;
    for (size_t i : group) xor_bit_string(media[i], acc);
    Bytes packet = config_.format == FecFormat::kUlpfec
                       ? ulpfec_repair(group, parsed, std::move(acc), (*media_sequence)++)
                       : flexfec_repair(group, parsed, std::move(acc));
    stats_.fec_bytes += packet.size();
    ++stats_.fec_packets;
    out.push_back(std::move(packet));
  }
  return out;
}

Bytes FecEncoder::flexfec_repair(const std::vector<size_t>& group,
                                 const std::vector<RtpPacketView>& parsed, Bytes acc) {
  const RtpHeader& first = parsed.front().header;
  FlexFecHeader fec = recovery_fields_from(acc);
  FlexFecMask mask;
  mask.sn_base = parsed[group.front()].header.sequence_number;
  for (size_t i : group) mask.bits.set(i - group.front());  // consecutive, chunk <= 110
  fec.masks.push_back(mask);

  RtpHeader header;
  header.marker = false;  // unused by repair packets
  header.payload_type = config_.fec_payload_type;
  header.sequence_number = sequence_++;
  header.timestamp = first.timestamp;
  header.ssrc = config_.fec_ssrc;
  header.csrcs = {first.ssrc};

  Bytes payload;
  payload.reserve(fec.size() + acc.size() - kFecBitStringHeaderSize);
  write_flexfec_header(fec, payload);
  payload.insert(payload.end(), acc.begin() + kFecBitStringHeaderSize, acc.end());
  Bytes packet;
  write_rtp(header, payload, packet);
  return packet;
}

Bytes FecEncoder::ulpfec_repair(const std::vector<size_t>& group,
                                const std::vector<RtpPacketView>& parsed, Bytes acc,
                                uint16_t sequence) {
  const RtpHeader& first = parsed.front().header;
  const FlexFecHeader fields = recovery_fields_from(acc);
  UlpfecHeader fec;
  fec.padding = fields.padding;
  fec.extension = fields.extension;
  fec.csrc_count = fields.csrc_count;
  fec.marker = fields.marker;
  fec.payload_type = fields.payload_type;
  fec.sn_base = parsed[group.front()].header.sequence_number;
  fec.ts_recovery = fields.ts_recovery;
  fec.length_recovery = fields.length_recovery;
  fec.protection_length = uint16_t(acc.size() - kFecBitStringHeaderSize);
  for (size_t i : group) fec.mask.set(i - group.front());  // consecutive, chunk <= 48

  RtpHeader header;
  header.marker = false;
  header.payload_type = config_.red_payload_type;
  header.sequence_number = sequence;
  header.timestamp = first.timestamp;
  header.ssrc = first.ssrc;
  // Header, RED byte, ULPFEC headers, then the XOR: written in place.
  Bytes packet;
  packet.reserve(kRtpHeaderSize + kRedHeaderSize + fec.size() + fec.protection_length);
  write_rtp(header, {}, packet);
  write_red_payload(config_.fec_payload_type, {}, packet);
  write_ulpfec_header(fec, packet);
  packet.insert(packet.end(), acc.begin() + kFecBitStringHeaderSize, acc.end());
  return packet;
}

}  // namespace peercall
