// parse_rtp on one datagram. A packet it accepts must survive write_rtp and a
// second parse unchanged (what the session relies on when it re-reads headers).
#include <cstdlib>

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
  return 0;
}
