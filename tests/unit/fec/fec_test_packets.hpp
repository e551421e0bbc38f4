#pragma once
// Media packets for the FEC tests: varied lengths, the marker on the last
// packet of a frame, some with CSRCs, a header extension or padding, so that
// every recovered header field is exercised.
#include <cstdint>
#include <random>
#include <vector>

#include "core/bytes.hpp"
#include "rtp/rtp_packet.hpp"

namespace peercall::fec_test {

inline constexpr uint32_t kMediaSsrc = 0x11223344;
inline constexpr uint32_t kFecSsrc = 0x55667788;
inline constexpr uint8_t kMediaPt = 96;
inline constexpr uint8_t kFecPt = 118;

inline Bytes make_packet(uint16_t seq, uint32_t ts, bool marker, size_t payload_size,
                         std::mt19937& rng, bool fancy) {
  RtpHeader h;
  h.marker = marker;
  h.payload_type = kMediaPt;
  h.sequence_number = seq;
  h.timestamp = ts;
  h.ssrc = kMediaSsrc;
  if (fancy && seq % 3 == 0) h.csrcs = {0xCAFEBABE, uint32_t(seq)};
  Bytes payload(payload_size);
  for (auto& b : payload) b = uint8_t(rng());
  Bytes out;
  write_rtp(h, payload, out);
  if (fancy && seq % 4 == 1) {
    // Insert a one-byte-header extension (RFC 8285) after the CSRCs.
    const size_t at = kRtpHeaderSize + 4 * h.csrcs.size();
    const Bytes ext = {0xBE, 0xDE, 0x00, 0x01, 0x10, uint8_t(seq), 0x00, 0x00};
    out.insert(out.begin() + long(at), ext.begin(), ext.end());
    out[0] |= 0x10;
  }
  if (fancy && seq % 5 == 2) {
    out.insert(out.end(), {0x00, 0x00, 0x03});
    out[0] |= 0x20;
  }
  return out;
}

// A frame of `count` packets from `first_seq`, the marker on the last. Fancy
// frames have packets of any length and header variety; plain ones look like a
// packetizer's: full packets (1100-1188 bytes of payload) and a shorter last.
inline std::vector<Bytes> make_frame(uint16_t first_seq, uint32_t ts, size_t count,
                                     std::mt19937& rng, bool fancy = true) {
  std::vector<Bytes> frame;
  std::uniform_int_distribution<size_t> any(20, 1100), full(1100, 1188);
  for (size_t i = 0; i < count; ++i) {
    const bool last = i + 1 == count;
    const size_t size = fancy || last ? any(rng) : full(rng);
    frame.push_back(make_packet(uint16_t(first_seq + i), ts, last, size, rng, fancy));
  }
  return frame;
}

}  // namespace peercall::fec_test
