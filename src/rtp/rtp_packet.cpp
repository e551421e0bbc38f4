#include "rtp/rtp_packet.hpp"

#include <algorithm>

namespace peercall {

Result<RtpPacketView> parse_rtp(ByteView datagram) {
  ByteReader r(datagram);
  uint8_t b0 = 0, b1 = 0;
  RtpPacketView view;
  RtpHeader& h = view.header;
  if (!r.u8(b0) || !r.u8(b1) || !r.u16(h.sequence_number) || !r.u32(h.timestamp) ||
      !r.u32(h.ssrc)) {
    return Error{"rtp: truncated header"};
  }
  if ((b0 >> 6) != 2) return Error{"rtp: bad version"};
  const bool padding = b0 & 0x20;
  const bool extension = b0 & 0x10;
  const size_t csrc_count = b0 & 0x0f;
  h.marker = b1 & 0x80;
  h.payload_type = b1 & 0x7f;

  if (r.remaining() < csrc_count * 4) return Error{"rtp: truncated header"};
  h.csrcs.resize(csrc_count);
  for (uint32_t& csrc : h.csrcs) r.u32(csrc);

  if (extension) {
    // RFC 3550 5.3.1: 16-bit profile id, 16-bit length in 32-bit words.
    uint16_t profile = 0, words = 0;
    if (!r.u16(profile) || !r.u16(words)) return Error{"rtp: bad extension length"};
    if (!r.skip(size_t(words) * 4)) return Error{"rtp: bad extension length"};
  }

  ByteView payload = r.rest();
  if (padding) {
    // The last octet counts the padding, itself included.
    if (payload.empty()) return Error{"rtp: bad padding"};
    const size_t pad = payload.back();
    if (pad == 0 || pad > payload.size()) return Error{"rtp: bad padding"};
    payload = payload.first(payload.size() - pad);
  }
  view.payload = payload;
  return view;
}

void write_rtp(const RtpHeader& h, ByteView payload, Bytes& out) {
  const size_t csrc_count = std::min(h.csrcs.size(), kRtpMaxCsrcs);
  out.reserve(out.size() + kRtpHeaderSize + csrc_count * 4 + payload.size());
  ByteWriter w(out);
  w.u8(uint8_t(0x80 | csrc_count));
  w.u8(uint8_t((h.marker ? 0x80 : 0) | (h.payload_type & 0x7f)));
  w.u16(h.sequence_number);
  w.u32(h.timestamp);
  w.u32(h.ssrc);
  for (size_t i = 0; i < csrc_count; ++i) w.u32(h.csrcs[i]);
  w.bytes(payload);
}

bool is_rtcp(ByteView datagram) {
  if (datagram.size() < 4 || (datagram[0] >> 6) != 2) return false;
  const uint8_t type = datagram[1] & 0x7f;
  return type >= 64 && type <= 95;
}

}  // namespace peercall
