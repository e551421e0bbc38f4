#pragma once
// ULPFEC repair packets (RFC 5109) with one protection level, as browsers
// receive them: carried as the block of a RED packet (rtp/red_packet.hpp) on
// the protected stream's own SSRC and sequence numbers.
//
//  FEC header (section 7.3):
//   |E|L|P|X|  CC   |M| PT recovery |            SN base            |
//   |                          TS recovery                          |
//   |        length recovery        |
//  level 0 header (section 7.4), the mask 16 bits (L=0) or 48 (L=1):
//   |       Protection Length       |             mask              |
//   |              mask cont. (present only when L = 1)             |
//  then the level 0 payload: the XOR of the protected packets' bytes after
//  their 12-byte fixed header, Protection Length bytes of it.
//
// The recovery fields are the same XOR FlexFEC uses (fec/fec_bit_string.hpp):
// mask bit i (most significant first) protects SN base + i.
#include <bitset>
#include <cstdint>

#include "core/bytes.hpp"
#include "core/result.hpp"

namespace peercall {

inline constexpr size_t kUlpfecMaxMaskBits = 48;

struct UlpfecHeader {
  bool padding = false;
  bool extension = false;
  uint8_t csrc_count = 0;  // 4 bits
  bool marker = false;
  uint8_t payload_type = 0;  // 7 bits
  uint16_t sn_base = 0;
  uint32_t ts_recovery = 0;
  uint16_t length_recovery = 0;
  uint16_t protection_length = 0;
  std::bitset<kUlpfecMaxMaskBits> mask;  // bit i: SN base + i is protected

  // 14 with a short mask, 18 with a long one (L=1: any bit past 15 set).
  size_t size() const;
};

struct UlpfecPacketView {
  UlpfecHeader header;
  ByteView payload;  // the level 0 payload, Protection Length bytes
};

// Parses the RED block of a ULPFEC repair. E=1 (not allowed by RFC 5109
// with one level), an empty mask and a protection length beyond the bytes
// present are Errors.
Result<UlpfecPacketView> parse_ulpfec(ByteView block);

// Appends the FEC and level 0 headers (the payload is the caller's).
void write_ulpfec_header(const UlpfecHeader& header, Bytes& out);

}  // namespace peercall
