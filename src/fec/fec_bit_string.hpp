#pragma once
// The XOR arithmetic shared by the FlexFEC encoder and receiver (RFC 8627
// sections 6.2 and 6.3.2). Each source packet contributes its "bit string":
// the first 64 bits of its RTP header (V..PT, sequence number, timestamp), the
// 16-bit length of everything after the 12-byte fixed header, then that rest
// (CSRCs, header extension, payload, padding). The SSRC is not part of it: the
// repair packet's CSRC list says which stream is protected. Shorter strings
// count as zero-padded; the repair payload is as long as the longest.
#include <cstdint>

#include "core/bytes.hpp"
#include "fec/flexfec_packet.hpp"

namespace peercall {

inline constexpr size_t kFecBitStringHeaderSize = 10;  // 8 header bytes + 16-bit length

// XORs `packet`'s bit string into `accumulator`, growing it with zeros first.
// `packet` must be at least 12 bytes and at most 65535 + 12 (checked by callers).
void xor_bit_string(ByteView packet, Bytes& accumulator);

// The recovery fields of a FEC header (R=F=0) from the XOR of the protected
// packets' bit strings; masks are left to the caller.
FlexFecHeader recovery_fields_from(const Bytes& accumulator);

// Starts a recovery: the repair packet's recovery fields and payload laid out
// as a bit string, ready for the received packets' bit strings to be XORed in.
Bytes bit_string_of_repair(const FlexFecHeader& header, ByteView repair_payload);

// Turns the XOR of the repair's and every received packet's bit string into the
// missing packet (V=2, the given sequence number and SSRC). An Error if the
// recovered length does not fit in what was XORed.
Result<Bytes> packet_from_bit_string(const Bytes& recovered, uint16_t sequence_number,
                                     uint32_t ssrc);

}  // namespace peercall
