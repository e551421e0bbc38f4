#pragma once
// RTP header extensions (RFC 8285): the one-byte (profile 0xBEDE) and two-byte
// (profile 0x100X) element forms, and the value formats congestion control
// needs. parse_rtp() skips the extension block; these functions read and write
// its elements. Nothing here trusts a length from the wire.
#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "core/bytes.hpp"
#include "core/result.hpp"
#include "core/time.hpp"
#include "rtp/rtp_packet.hpp"

namespace peercall {

// SDP a=extmap URIs of the extensions below.
inline constexpr const char* kTransportSequenceNumberUri =
    "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01";
inline constexpr const char* kAbsSendTimeUri =
    "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time";

inline constexpr uint16_t kOneByteExtensionProfile = 0xBEDE;
inline constexpr uint16_t kTwoByteExtensionProfile = 0x1000;  // low 4 bits: appbits

struct HeaderExtension {
  uint8_t id = 0;  // one-byte form 1..14, two-byte form 1..255
  ByteView data;   // parse: views into the datagram; write: the caller keeps it alive
};

// The elements of the datagram's RFC 8285 extension block, in wire order.
// No extension, or a block with another profile: an empty list. A block or an
// element overrunning its container is an Error. Padding bytes are skipped;
// a one-byte element with id 15 ends the block (RFC 8285 4.2).
Result<std::vector<HeaderExtension>> parse_rtp_header_extensions(ByteView datagram);

// The data of the first element with `id`, if any.
std::optional<ByteView> find_header_extension(const std::vector<HeaderExtension>& extensions,
                                              uint8_t id);

// Appends header + extension block + payload to `out` (no RTP padding). Uses
// the one-byte form when every element has id 1..14 and 1..16 bytes of data,
// else the two-byte form (elements with id 0 are not written; data beyond 255
// bytes is cut). No elements: no extension block, exactly like write_rtp().
void write_rtp_with_extensions(const RtpHeader& header,
                               const std::vector<HeaderExtension>& extensions,
                               ByteView payload, Bytes& out);

// Overwrites the value of the element `id` in an already written packet (the
// pacer stamps the transport-wide sequence number at send time). False, with
// the packet unchanged, when the packet does not parse, has no such element,
// or the element's size differs from value.size().
bool set_extension_in_place(Bytes& packet, uint8_t id, ByteView value);

// Transport-wide sequence number (draft-holmer-rmcat-transport-wide-cc-
// extensions-01 section 2): 16 bits, big-endian.
std::array<uint8_t, 2> encode_transport_sequence(uint16_t sequence);
std::optional<uint16_t> decode_transport_sequence(ByteView data);  // needs exactly 2 bytes

// abs-send-time: the send time in seconds as a 24-bit 6.18 fixed point number,
// wrapping every 64 s. Any epoch works: the receiver only uses differences.
uint32_t abs_send_time_24(Instant send_time);
std::array<uint8_t, 3> encode_abs_send_time(Instant send_time);
std::optional<uint32_t> decode_abs_send_time(ByteView data);  // needs exactly 3 bytes

// Convenience for the receive path: the transport-wide sequence number of a
// datagram whose extension `id` carries it.
std::optional<uint16_t> read_transport_sequence(ByteView datagram, uint8_t id);

}  // namespace peercall
