// parse_rtcp_compound on one datagram. What it accepts is written back and
// parsed again: our own writer's output must always parse.
#include <cstdlib>

#include "rtp/rtcp_packet.hpp"
#include "rtp/rtp_packet.hpp"

using namespace peercall;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const ByteView datagram(data, size);
  (void)is_rtcp(datagram);
  auto parsed = parse_rtcp_compound(datagram);
  if (!parsed) return 0;
  const Bytes written = write_rtcp_compound(*parsed);
  if (!parsed->empty() && !parse_rtcp_compound(written)) abort();
  return 0;
}
