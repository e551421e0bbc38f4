#pragma once
// H.264 RTP packetizer, RFC 6184 packetization-mode=1 (non-interleaved):
// single NAL unit packets, STAP-A aggregation and FU-A fragmentation.
#include <cstddef>
#include <vector>

#include "core/bytes.hpp"

namespace peercall {

class H264Packetizer {
 public:
  // An FU-A needs 2 header bytes plus at least one byte of data, and a STAP-A
  // length field is 16 bits, so max_payload is clamped to this range.
  static constexpr size_t kMinPayload = 3;
  static constexpr size_t kMaxPayload = 65535;

  explicit H264Packetizer(size_t max_payload = 1200);

  // One access unit (Annex B, as an encoder emits it) -> RTP payloads in
  // order. The caller sets the RTP marker on the last one and uses one
  // timestamp for all. AUD NALs (and NAL types that cannot travel as single
  // NAL units: 0, 24-31) are dropped. Small NALs that fit together (e.g.
  // SPS+PPS, SEI) are aggregated in a STAP-A; NALs larger than max_payload are
  // fragmented as FU-A; otherwise single NAL unit packets. No payload exceeds
  // max_payload.
  std::vector<Bytes> packetize(ByteView annexb_access_unit) const;

  size_t max_payload() const { return max_payload_; }

 private:
  void fragment(ByteView nal, std::vector<Bytes>& out) const;

  size_t max_payload_;
};

}  // namespace peercall
