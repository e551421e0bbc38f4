// parse_rtp on one datagram. A packet it accepts must survive write_rtp and a
// second parse unchanged (what the session relies on when it re-reads headers).
// Its payload is read as RED too, the packet inside it rebuilt, and a RED
// block read as a ULPFEC repair, whose header must survive a write.
#include <cstdlib>

#include "fec/ulpfec_packet.hpp"
#include "rtp/red_packet.hpp"
#include "rtp/rtp_packet.hpp"

using namespace peercall;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const ByteView datagram(data, size);
  (void)is_rtcp(datagram);
  auto parsed = parse_rtp(datagram);
  if (!parsed) return 0;
  const RtpPacketView& p = *parsed;
  if (p.payload.size() > size || p.header.csrcs.size() > kRtpMaxCsrcs || p.header.payload_type > 127) abort();
  if (!p.payload.empty() && (p.payload.data() < data || p.payload.data() + p.payload.size() > data + size)) abort();

  Bytes written;
  write_rtp(p.header, p.payload, written);
  auto again = parse_rtp(written);
  if (!again) abort();
  const RtpHeader& a = p.header;
  const RtpHeader& b = again->header;
  if (a.marker != b.marker || a.payload_type != b.payload_type || a.sequence_number != b.sequence_number ||
      a.timestamp != b.timestamp || a.ssrc != b.ssrc || a.csrcs != b.csrcs)
    abort();
  if (!std::equal(p.payload.begin(), p.payload.end(), again->payload.begin(), again->payload.end())) abort();

  auto red = parse_red_payload(p.payload);
  if (!red) return 0;
  if (red->data.size() + kRedHeaderSize != p.payload.size()) abort();
  auto inside = packet_inside_red(datagram);
  if (!inside || inside->size() + kRedHeaderSize != size) abort();
  auto inner = parse_rtp(*inside);
  if (!inner || inner->header.payload_type != red->payload_type || inner->header.ssrc != a.ssrc) abort();
  auto fec = parse_ulpfec(red->data);
  if (!fec) return 0;
  if (fec->payload.size() != fec->header.protection_length || fec->header.mask.none()) abort();
  Bytes header;
  write_ulpfec_header(fec->header, header);
  header.insert(header.end(), fec->payload.begin(), fec->payload.end());
  auto reread = parse_ulpfec(header);
  if (!reread || reread->header.mask != fec->header.mask || reread->header.sn_base != fec->header.sn_base ||
      reread->header.ts_recovery != fec->header.ts_recovery ||
      reread->header.length_recovery != fec->header.length_recovery ||
      reread->header.protection_length != fec->header.protection_length)
    abort();
  return 0;
}
