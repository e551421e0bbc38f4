#include "fec/flexfec_packet.hpp"

namespace peercall {
namespace {

constexpr uint8_t kRBit = 0x80;
constexpr uint8_t kFBit = 0x40;

size_t needed_mask_bits(const FlexFecMask& mask) {
  size_t highest = 0;
  for (size_t i = 0; i < kFlexFecMaxMaskBits; ++i) {
    if (mask.bits[i]) highest = i + 1;
  }
  size_t size = mask.size_bits;
  if (size != 15 && size != 46 && size != 110) size = 15;
  for (size_t candidate : kFlexFecMaskSizes) {
    if (candidate >= size && candidate >= highest) return candidate;
  }
  return kFlexFecMaxMaskBits;
}

size_t mask_wire_bytes(size_t bits) { return bits == 15 ? 2 : bits == 46 ? 6 : 14; }

bool read_mask(ByteReader& r, FlexFecMask& mask) {
  uint16_t part0 = 0;
  if (!r.u16(mask.sn_base) || !r.u16(part0)) return false;
  for (size_t i = 0; i < 15; ++i) mask.bits[i] = (part0 >> (14 - i)) & 1;
  mask.size_bits = 15;
  if (!(part0 & 0x8000)) return true;
  uint32_t part1 = 0;
  if (!r.u32(part1)) return false;
  for (size_t i = 0; i < 31; ++i) mask.bits[15 + i] = (part1 >> (30 - i)) & 1;
  mask.size_bits = 46;
  if (!(part1 & 0x80000000u)) return true;
  uint32_t hi = 0, lo = 0;
  if (!r.u32(hi) || !r.u32(lo)) return false;
  const uint64_t part2 = uint64_t(hi) << 32 | lo;
  for (size_t i = 0; i < 64; ++i) mask.bits[46 + i] = (part2 >> (63 - i)) & 1;
  mask.size_bits = 110;
  return true;
}

void write_mask(const FlexFecMask& mask, ByteWriter& w) {
  const size_t bits = needed_mask_bits(mask);
  w.u16(mask.sn_base);
  uint16_t part0 = bits > 15 ? 0x8000 : 0;
  for (size_t i = 0; i < 15; ++i) part0 |= uint16_t(mask.bits[i]) << (14 - i);
  w.u16(part0);
  if (bits == 15) return;
  uint32_t part1 = bits > 46 ? 0x80000000u : 0;
  for (size_t i = 0; i < 31; ++i) part1 |= uint32_t(mask.bits[15 + i]) << (30 - i);
  w.u32(part1);
  if (bits == 46) return;
  uint64_t part2 = 0;
  for (size_t i = 0; i < 64; ++i) part2 |= uint64_t(mask.bits[46 + i]) << (63 - i);
  w.u32(uint32_t(part2 >> 32));
  w.u32(uint32_t(part2));
}

}  // namespace

size_t FlexFecHeader::size() const {
  size_t total = kFlexFecRecoveryFieldsSize;
  switch (variant) {
    case FlexFecVariant::kFlexibleMask:
      for (const FlexFecMask& m : masks) total += 2 + mask_wire_bytes(needed_mask_bits(m));
      return total;
    case FlexFecVariant::kFixedColumnsRows:
      return total + 4 * columns_rows.size();
    case FlexFecVariant::kRetransmission:
      return 12;
  }
  return total;
}

Result<FlexFecPacketView> parse_flexfec(const RtpPacketView& rtp) {
  FlexFecPacketView view;
  view.rtp = rtp.header;
  FlexFecHeader& h = view.fec;
  ByteReader r(rtp.payload);
  uint8_t b0 = 0, b1 = 0;
  if (!r.u8(b0) || !r.u8(b1)) return Error{"flexfec: truncated header"};
  const bool r_bit = b0 & kRBit;
  const bool f_bit = b0 & kFBit;
  if (r_bit && f_bit) return Error{"flexfec: reserved variant R=1 F=1"};
  h.padding = b0 & 0x20;
  h.extension = b0 & 0x10;
  h.csrc_count = b0 & 0x0f;
  h.marker = b1 & 0x80;
  h.payload_type = b1 & 0x7f;

  if (r_bit) {
    h.variant = FlexFecVariant::kRetransmission;
    if (!r.u16(h.sequence_number) || !r.u32(h.ts_recovery) || !r.u32(h.ssrc)) {
      return Error{"flexfec: truncated retransmission header"};
    }
    view.repair_payload = r.rest();
    return view;
  }

  if (!r.u16(h.length_recovery) || !r.u32(h.ts_recovery)) {
    return Error{"flexfec: truncated header"};
  }
  const size_t streams = rtp.header.csrcs.size();
  if (streams == 0) return Error{"flexfec: repair packet names no protected SSRC"};
  if (f_bit) {
    h.variant = FlexFecVariant::kFixedColumnsRows;
    h.columns_rows.resize(streams);
    for (FlexFecColumnsRows& block : h.columns_rows) {
      if (!r.u16(block.sn_base) || !r.u8(block.columns) || !r.u8(block.rows)) {
        return Error{"flexfec: truncated L/D block"};
      }
      if (block.columns == 0) return Error{"flexfec: L=0 is reserved"};
    }
  } else {
    h.variant = FlexFecVariant::kFlexibleMask;
    h.masks.resize(streams);
    for (FlexFecMask& mask : h.masks) {
      if (!read_mask(r, mask)) return Error{"flexfec: truncated mask"};
    }
  }
  view.repair_payload = r.rest();
  return view;
}

Result<FlexFecPacketView> parse_flexfec_datagram(ByteView datagram) {
  auto rtp = parse_rtp(datagram);
  if (!rtp) return Error{rtp.error()};
  return parse_flexfec(*rtp);
}

void write_flexfec_header(const FlexFecHeader& h, Bytes& out) {
  ByteWriter w(out);
  uint8_t b0 = uint8_t((h.padding ? 0x20 : 0) | (h.extension ? 0x10 : 0) | (h.csrc_count & 0x0f));
  if (h.variant == FlexFecVariant::kRetransmission) b0 |= kRBit;
  if (h.variant == FlexFecVariant::kFixedColumnsRows) b0 |= kFBit;
  w.u8(b0);
  w.u8(uint8_t((h.marker ? 0x80 : 0) | (h.payload_type & 0x7f)));
  if (h.variant == FlexFecVariant::kRetransmission) {
    w.u16(h.sequence_number);
    w.u32(h.ts_recovery);
    w.u32(h.ssrc);
    return;
  }
  w.u16(h.length_recovery);
  w.u32(h.ts_recovery);
  if (h.variant == FlexFecVariant::kFixedColumnsRows) {
    for (const FlexFecColumnsRows& block : h.columns_rows) {
      w.u16(block.sn_base);
      w.u8(block.columns);
      w.u8(block.rows);
    }
    return;
  }
  for (const FlexFecMask& mask : h.masks) write_mask(mask, w);
}

std::vector<uint16_t> protected_sequence_numbers(const FlexFecMask& mask) {
  std::vector<uint16_t> out;
  for (size_t i = 0; i < kFlexFecMaxMaskBits; ++i) {
    if (mask.bits[i]) out.push_back(uint16_t(mask.sn_base + i));
  }
  return out;
}

std::vector<uint16_t> protected_sequence_numbers(const FlexFecColumnsRows& block) {
  std::vector<uint16_t> out;
  if (block.columns == 0) return out;
  if (block.rows <= 1) {
    for (size_t i = 0; i < block.columns; ++i) out.push_back(uint16_t(block.sn_base + i));
  } else {
    for (size_t j = 0; j < block.rows; ++j) {
      out.push_back(uint16_t(block.sn_base + j * block.columns));
    }
  }
  return out;
}

}  // namespace peercall
