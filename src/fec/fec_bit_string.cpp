#include "fec/fec_bit_string.hpp"

#include <algorithm>

namespace peercall {

void xor_bit_string(ByteView packet, Bytes& acc) {
  const size_t rest = packet.size() - kRtpHeaderSize;
  const size_t size = kFecBitStringHeaderSize + rest;
  if (acc.size() < size) acc.resize(size, 0);
  for (size_t i = 0; i < 8; ++i) acc[i] ^= packet[i];
  acc[8] ^= uint8_t(rest >> 8);
  acc[9] ^= uint8_t(rest);
  uint8_t* out = acc.data() + kFecBitStringHeaderSize;
  const uint8_t* in = packet.data() + kRtpHeaderSize;
  for (size_t i = 0; i < rest; ++i) out[i] ^= in[i];
}

FlexFecHeader recovery_fields_from(const Bytes& acc) {
  FlexFecHeader h;
  h.variant = FlexFecVariant::kFlexibleMask;
  h.padding = acc[0] & 0x20;
  h.extension = acc[0] & 0x10;
  h.csrc_count = acc[0] & 0x0f;
  h.marker = acc[1] & 0x80;
  h.payload_type = acc[1] & 0x7f;
  h.ts_recovery = uint32_t(acc[4]) << 24 | uint32_t(acc[5]) << 16 | uint32_t(acc[6]) << 8 | acc[7];
  h.length_recovery = uint16_t(acc[8] << 8 | acc[9]);
  return h;
}

Bytes bit_string_of_repair(const FlexFecHeader& h, ByteView repair_payload) {
  Bytes acc(kFecBitStringHeaderSize + repair_payload.size(), 0);
  acc[0] = uint8_t((h.padding ? 0x20 : 0) | (h.extension ? 0x10 : 0) | (h.csrc_count & 0x0f));
  acc[1] = uint8_t((h.marker ? 0x80 : 0) | (h.payload_type & 0x7f));
  acc[4] = uint8_t(h.ts_recovery >> 24);
  acc[5] = uint8_t(h.ts_recovery >> 16);
  acc[6] = uint8_t(h.ts_recovery >> 8);
  acc[7] = uint8_t(h.ts_recovery);
  acc[8] = uint8_t(h.length_recovery >> 8);
  acc[9] = uint8_t(h.length_recovery);
  std::copy(repair_payload.begin(), repair_payload.end(), acc.begin() + kFecBitStringHeaderSize);
  return acc;
}

Result<Bytes> packet_from_bit_string(const Bytes& rec, uint16_t sequence_number, uint32_t ssrc) {
  if (rec.size() < kFecBitStringHeaderSize) return Error{"flexfec: recovery too short"};
  const size_t rest = size_t(rec[8]) << 8 | rec[9];
  if (kFecBitStringHeaderSize + rest > rec.size()) {
    return Error{"flexfec: recovered length exceeds the repair payload"};
  }
  Bytes out;
  out.reserve(kRtpHeaderSize + rest);
  ByteWriter w(out);
  w.u8(uint8_t(0x80 | (rec[0] & 0x3f)));
  w.u8(rec[1]);
  w.u16(sequence_number);
  for (size_t i = 4; i < 8; ++i) w.u8(rec[i]);
  w.u32(ssrc);
  w.bytes(ByteView(rec).subspan(kFecBitStringHeaderSize, rest));
  return out;
}

}  // namespace peercall
