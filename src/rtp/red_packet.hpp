#pragma once
// RED (RFC 2198) as browsers use it for video: every packet of the stream is
// a RED packet with a single block (a one-byte header: F=0, the block's
// payload type), so that ULPFEC repairs (RFC 5109) can share the media SSRC
// and sequence numbers, told apart by the block type. libwebrtc's receiver
// drops RED packets with more than one block, so only that form is written
// and read.
#include <cstdint>

#include "core/bytes.hpp"
#include "core/result.hpp"
#include "rtp/rtp_packet.hpp"

namespace peercall {

inline constexpr size_t kRedHeaderSize = 1;

// Appends to `out` the payload of a RED packet whose single block is
// `block` of `block_type` (after an RTP header written there: no copy).
void write_red_payload(uint8_t block_type, ByteView block, Bytes& out);

struct RedBlock {
  uint8_t payload_type = 0;
  ByteView data;  // views into the parsed packet
};

// The single block of a RED payload. Empty payloads and F=1 (several
// blocks) are Errors.
Result<RedBlock> parse_red_payload(ByteView payload);

// `red` (a RED packet as it goes on the wire, header extensions included)
// as the plain RTP packet its block would be: the RTP header bytes kept as
// they are, the payload type set to the block's, the RED byte removed. What
// a ULPFEC repair protects, and what the receiver rebuilds.
Result<Bytes> packet_inside_red(ByteView red);

}  // namespace peercall
