#include "rtp/rtx_packet.hpp"

#include <algorithm>

namespace peercall {

void write_rtx(const RtpPacketView& original, uint8_t rtx_payload_type, uint32_t rtx_ssrc,
               uint16_t rtx_sequence, Bytes& out) {
  RtpHeader header = original.header;
  header.payload_type = rtx_payload_type;
  header.ssrc = rtx_ssrc;
  header.sequence_number = rtx_sequence;
  Bytes payload;
  payload.reserve(2 + original.payload.size());
  ByteWriter w(payload);
  w.u16(original.header.sequence_number);
  w.bytes(original.payload);
  write_rtp(header, payload, out);
}

Result<RtpPacketView> unwrap_rtx(const RtpPacketView& rtx, uint32_t media_ssrc,
                                 uint8_t media_payload_type) {
  ByteReader r(rtx.payload);
  RtpPacketView original;
  original.header = rtx.header;
  if (!r.u16(original.header.sequence_number)) return Error{"rtx: payload shorter than the OSN"};
  original.header.ssrc = media_ssrc;
  original.header.payload_type = media_payload_type;
  original.payload = r.rest();
  return original;
}

}  // namespace peercall

namespace peercall {

void write_padding_only(const RtpHeader& header, const std::vector<HeaderExtension>& extensions,
                        size_t padding, Bytes& out) {
  padding = std::clamp<size_t>(padding, 1, kMaxRtpPadding);
  const size_t start = out.size();
  write_rtp_with_extensions(header, extensions, ByteView{}, out);
  out[start] |= 0x20;  // P
  out.insert(out.end(), padding - 1, uint8_t{0});
  out.push_back(uint8_t(padding));
}

}  // namespace peercall
