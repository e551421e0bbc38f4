#pragma once
// RTP retransmission payload format (RFC 4588 section 4): a retransmitted
// packet travels on its own SSRC and payload type with its own sequence
// numbers; its payload is the original sequence number (OSN, 2 bytes) followed
// by the original payload. Timestamp, marker and CSRCs are the original's.
#include <cstdint>

#include "core/bytes.hpp"
#include "core/result.hpp"
#include "rtp/rtp_header_extensions.hpp"
#include "rtp/rtp_packet.hpp"

namespace peercall {

// Appends the RTX packet for `original` (a parsed plain RTP packet) to `out`.
void write_rtx(const RtpPacketView& original, uint8_t rtx_payload_type, uint32_t rtx_ssrc,
               uint16_t rtx_sequence, Bytes& out);

// The original packet carried by a parsed RTX packet: its header gets the OSN
// as sequence number and the given media SSRC and payload type; the payload
// views into `rtx`'s payload. An RTX payload shorter than the OSN is an Error;
// an empty original payload is returned as such. A padding-only packet (a
// bandwidth probe, ours or Chromium's) has no payload at all once parse_rtp
// removed the padding: the caller recognises it (is_rtx_padding) first.
Result<RtpPacketView> unwrap_rtx(const RtpPacketView& rtx, uint32_t media_ssrc,
                                 uint8_t media_payload_type);

// A parsed RTX packet that is padding only (nothing after parse_rtp, no OSN):
// to be dropped quietly, not counted as malformed.
inline bool is_rtx_padding(const RtpPacketView& rtx) { return rtx.payload.empty(); }

// The largest padding one RTP packet can carry (its count is one octet).
inline constexpr size_t kMaxRtpPadding = 255;

// Appends a padding-only RTP packet (RFC 3550 5.1: P bit set, no payload,
// `padding` octets whose last one counts them, 1..255) to `out`: what a
// bandwidth probe sends on the RTX SSRC. `extensions` (e.g. the transport-wide
// sequence number) go in the header as write_rtp_with_extensions writes them.
void write_padding_only(const RtpHeader& header, const std::vector<HeaderExtension>& extensions,
                        size_t padding, Bytes& out);

}  // namespace peercall
