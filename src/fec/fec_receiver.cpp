#include "fec/fec_receiver.hpp"

#include <algorithm>

#include "fec/fec_bit_string.hpp"
#include "rtp/rtp_packet.hpp"

namespace peercall {

FecReceiver::FecReceiver(const FecReceiverConfig& config) : config_(config) {}

int64_t FecReceiver::unwrap_nearest(uint16_t sequence) {
  const auto last = unwrapper_.last();
  if (!last) return unwrapper_.unwrap(sequence);
  const auto delta = static_cast<int16_t>(static_cast<uint16_t>(sequence - uint16_t(*last)));
  return *last + delta;
}

bool FecReceiver::store_media(int64_t sequence, Bytes packet) {
  if (sequence + int64_t(config_.max_sequence_age) < newest_) return false;  // too old
  if (!media_.emplace(sequence, std::move(packet)).second) return false;
  newest_ = std::max(newest_, sequence);
  return true;
}

void FecReceiver::expire() {
  const int64_t oldest = newest_ - int64_t(config_.max_sequence_age);
  while (!media_.empty() &&
         (media_.begin()->first < oldest || media_.size() > config_.max_media_packets)) {
    media_.erase(media_.begin());
  }
  for (auto it = fec_.begin(); it != fec_.end();) {
    const bool too_many = fec_.size() > config_.max_fec_packets;
    if (!too_many && it->protected_sequences.front() >= oldest) {
      ++it;
      continue;
    }
    size_t missing = 0;
    for (int64_t s : it->protected_sequences) missing += media_.count(s) ? 0 : 1;
    if (missing >= 2) ++stats_.unrecoverable;
    it = fec_.erase(it);
  }
}

std::vector<Bytes> FecReceiver::on_media_packet(ByteView packet) {
  std::vector<Bytes> out;
  auto rtp = parse_rtp(packet);
  if (!rtp || rtp->header.ssrc != config_.media_ssrc) return out;
  if (packet.size() - kRtpHeaderSize > 0xffff) return out;
  const int64_t sequence = unwrapper_.unwrap(rtp->header.sequence_number);
  if (!store_media(sequence, Bytes(packet.begin(), packet.end()))) return out;
  ++stats_.media_packets;
  expire();
  recover(out);
  return out;
}

std::vector<Bytes> FecReceiver::on_fec_packet(ByteView packet) {
  std::vector<Bytes> out;
  auto parsed = parse_flexfec_datagram(packet);
  if (!parsed || parsed->rtp.ssrc != config_.fec_ssrc) {
    ++stats_.bad_fec_packets;
    return out;
  }
  const FlexFecHeader& h = parsed->fec;
  if (h.variant == FlexFecVariant::kRetransmission) {
    // The packet itself, its fixed header fields in the FEC header.
    if (h.ssrc != config_.media_ssrc) {
      ++stats_.bad_fec_packets;
      return out;
    }
    ++stats_.fec_packets_received;
    Bytes original;
    ByteWriter w(original);
    w.u8(uint8_t(0x80 | (h.padding ? 0x20 : 0) | (h.extension ? 0x10 : 0) | h.csrc_count));
    w.u8(uint8_t((h.marker ? 0x80 : 0) | h.payload_type));
    w.u16(h.sequence_number);
    w.u32(h.ts_recovery);
    w.u32(h.ssrc);
    w.bytes(parsed->repair_payload);
    if (!parse_rtp(original)) {
      ++stats_.bad_fec_packets;
      return out;
    }
    const int64_t sequence = unwrap_nearest(h.sequence_number);
    if (store_media(sequence, original)) {
      ++stats_.packets_recovered;
      out.push_back(std::move(original));
      expire();
      recover(out);
    }
    return out;
  }

  // One protected stream: ours.
  if (parsed->rtp.csrcs.size() != 1 || parsed->rtp.csrcs[0] != config_.media_ssrc) {
    ++stats_.bad_fec_packets;
    return out;
  }
  std::vector<uint16_t> sequences = h.variant == FlexFecVariant::kFlexibleMask
                                        ? protected_sequence_numbers(h.masks[0])
                                        : protected_sequence_numbers(h.columns_rows[0]);
  if (sequences.empty()) {
    ++stats_.bad_fec_packets;
    return out;
  }
  PendingRepair repair;
  repair.header = h;
  repair.repair_payload.assign(parsed->repair_payload.begin(), parsed->repair_payload.end());
  const int64_t base = unwrap_nearest(sequences.front());
  for (uint16_t s : sequences) repair.protected_sequences.push_back(base + uint16_t(s - sequences.front()));
  if (repair.protected_sequences.back() + int64_t(config_.max_sequence_age) < newest_) {
    ++stats_.bad_fec_packets;  // protects nothing we could still have
    return out;
  }
  ++stats_.fec_packets_received;
  fec_.push_back(std::move(repair));
  expire();
  recover(out);
  return out;
}

Result<Bytes> FecReceiver::rebuild(const PendingRepair& repair, int64_t missing) const {
  Bytes acc = bit_string_of_repair(repair.header, repair.repair_payload);
  for (int64_t s : repair.protected_sequences) {
    if (s == missing) continue;
    const Bytes& packet = media_.at(s);
    if (packet.size() - kRtpHeaderSize > repair.repair_payload.size()) {
      return Error{"flexfec: protected packet longer than the repair payload"};
    }
    xor_bit_string(packet, acc);
  }
  auto packet = packet_from_bit_string(acc, uint16_t(missing), config_.media_ssrc);
  if (!packet) return packet;
  if (!parse_rtp(*packet)) return Error{"flexfec: recovered packet is not valid RTP"};
  return packet;
}

void FecReceiver::recover(std::vector<Bytes>& out) {
  bool progress = true;
  while (progress) {
    progress = false;
    for (auto it = fec_.begin(); it != fec_.end();) {
      size_t missing_count = 0;
      int64_t missing = 0;
      for (int64_t s : it->protected_sequences) {
        if (media_.count(s)) continue;
        missing = s;
        if (++missing_count > 1) break;
      }
      if (missing_count > 1) {
        ++it;
        continue;
      }
      if (missing_count == 1) {
        auto packet = rebuild(*it, missing);
        if (!packet) {
          ++stats_.bad_fec_packets;
        } else if (store_media(missing, *packet)) {
          ++stats_.packets_recovered;
          out.push_back(std::move(*packet));
          progress = true;
        }
      }
      it = fec_.erase(it);  // complete: nothing more to give
    }
  }
}

}  // namespace peercall
