#pragma once
// RTP retransmission payload format (RFC 4588 section 4): a retransmitted
// packet travels on its own SSRC and payload type with its own sequence
// numbers; its payload is the original sequence number (OSN, 2 bytes) followed
// by the original payload. Timestamp, marker and CSRCs are the original's.
#include <cstdint>

#include "core/bytes.hpp"
#include "core/result.hpp"
#include "rtp/rtp_packet.hpp"

namespace peercall {

// Appends the RTX packet for `original` (a parsed plain RTP packet) to `out`.
void write_rtx(const RtpPacketView& original, uint8_t rtx_payload_type, uint32_t rtx_ssrc,
               uint16_t rtx_sequence, Bytes& out);

// The original packet carried by a parsed RTX packet: its header gets the OSN
// as sequence number and the given media SSRC and payload type; the payload
// views into `rtx`'s payload. An RTX payload shorter than the OSN is an Error;
// an empty original payload (a padding-only probe) is returned as such.
Result<RtpPacketView> unwrap_rtx(const RtpPacketView& rtx, uint32_t media_ssrc,
                                 uint8_t media_payload_type);

}  // namespace peercall
