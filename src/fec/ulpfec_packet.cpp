#include "fec/ulpfec_packet.hpp"

namespace peercall {
namespace {

constexpr uint8_t kEBit = 0x80;
constexpr uint8_t kLBit = 0x40;
constexpr size_t kFecHeaderSize = 10;

bool needs_long_mask(const std::bitset<kUlpfecMaxMaskBits>& mask) { return (mask >> 16).any(); }

}  // namespace

size_t UlpfecHeader::size() const { return kFecHeaderSize + (needs_long_mask(mask) ? 8 : 4); }

Result<UlpfecPacketView> parse_ulpfec(ByteView block) {
  ByteReader r(block);
  uint8_t b0 = 0, b1 = 0;
  UlpfecPacketView view;
  UlpfecHeader& h = view.header;
  if (!r.u8(b0) || !r.u8(b1) || !r.u16(h.sn_base) || !r.u32(h.ts_recovery) ||
      !r.u16(h.length_recovery) || !r.u16(h.protection_length))
    return Error{"ulpfec: truncated header"};
  if (b0 & kEBit) return Error{"ulpfec: E bit set"};
  h.padding = b0 & 0x20;
  h.extension = b0 & 0x10;
  h.csrc_count = b0 & 0x0f;
  h.marker = b1 & 0x80;
  h.payload_type = b1 & 0x7f;
  const size_t mask_bytes = (b0 & kLBit) ? 6 : 2;
  for (size_t byte = 0; byte < mask_bytes; ++byte) {
    uint8_t m = 0;
    if (!r.u8(m)) return Error{"ulpfec: truncated mask"};
    for (size_t bit = 0; bit < 8; ++bit) h.mask[byte * 8 + bit] = (m >> (7 - bit)) & 1;
  }
  if (h.mask.none()) return Error{"ulpfec: empty mask"};
  if (!r.take(h.protection_length, view.payload)) return Error{"ulpfec: protection length beyond the packet"};
  return view;
}

void write_ulpfec_header(const UlpfecHeader& h, Bytes& out) {
  const bool long_mask = needs_long_mask(h.mask);
  ByteWriter w(out);
  w.u8(uint8_t((long_mask ? kLBit : 0) | (h.padding ? 0x20 : 0) | (h.extension ? 0x10 : 0) |
               (h.csrc_count & 0x0f)));
  w.u8(uint8_t((h.marker ? 0x80 : 0) | (h.payload_type & 0x7f)));
  w.u16(h.sn_base);
  w.u32(h.ts_recovery);
  w.u16(h.length_recovery);
  w.u16(h.protection_length);
  const size_t mask_bytes = long_mask ? 6 : 2;
  for (size_t byte = 0; byte < mask_bytes; ++byte) {
    uint8_t m = 0;
    for (size_t bit = 0; bit < 8; ++bit) m |= uint8_t(h.mask[byte * 8 + bit]) << (7 - bit);
    w.u8(m);
  }
}

}  // namespace peercall
