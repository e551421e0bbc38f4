#pragma once
// RTP fixed header (RFC 3550 section 5.1): parse from untrusted datagrams and
// write for sending. The parser only views into the input; it never copies.
#include <cstdint>
#include <vector>

#include "core/bytes.hpp"
#include "core/result.hpp"

namespace peercall {

inline constexpr size_t kRtpHeaderSize = 12;
inline constexpr size_t kRtpMaxCsrcs = 15;

struct RtpHeader {
  bool marker = false;
  uint8_t payload_type = 0;  // 7 bits
  uint16_t sequence_number = 0;
  uint32_t timestamp = 0;
  uint32_t ssrc = 0;
  std::vector<uint32_t> csrcs;  // at most kRtpMaxCsrcs
};

struct RtpPacketView {
  RtpHeader header;
  ByteView payload;  // views into the parsed datagram (extension and padding excluded)
};

// Version must be 2. CSRCs are returned, a header extension is skipped (its
// length checked), padding is stripped (its count checked).
Result<RtpPacketView> parse_rtp(ByteView datagram);

// Fixed-header fields of a packet we wrote ourselves (no parse, no checks
// beyond the size): 0 if it is shorter than an RTP header.
inline uint16_t peek_rtp_sequence(ByteView p) {
  return p.size() < kRtpHeaderSize ? 0 : uint16_t((p[2] << 8) | p[3]);
}
inline uint32_t peek_rtp_u32(ByteView p, size_t at) {
  return p.size() < kRtpHeaderSize ? 0
                                   : (uint32_t(p[at]) << 24) | (uint32_t(p[at + 1]) << 16) |
                                         (uint32_t(p[at + 2]) << 8) | p[at + 3];
}
inline uint32_t peek_rtp_timestamp(ByteView p) { return peek_rtp_u32(p, 4); }
inline uint32_t peek_rtp_ssrc(ByteView p) { return peek_rtp_u32(p, 8); }

// Appends header + payload to `out`. No extension, no padding. Only the first
// kRtpMaxCsrcs CSRCs fit in the 4-bit count; extra ones are not written.
void write_rtp(const RtpHeader& header, ByteView payload, Bytes& out);

// RFC 5761 section 4 demultiplexing of RTP and RTCP sharing one port: version 2
// and the 7-bit payload-type field in 64..95 (RTCP packet types 192..223 with
// the marker bit), a range RTP must not use when muxed.
bool is_rtcp(ByteView datagram);

}  // namespace peercall
