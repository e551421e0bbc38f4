#pragma once
// Opus RTP payload (RFC 7587): exactly one Opus packet per RTP packet, no
// payload header. The RTP clock is always 48 kHz whatever the codec's internal
// bandwidth, so the timestamp advances by the packet's duration in 48 kHz
// samples (960 for our 20 ms frames). The marker bit only flags the first
// packet after a DTX silence; it carries no framing.
#include <cstdint>

#include "core/bytes.hpp"

namespace peercall {

inline constexpr uint32_t kOpusRtpClockRate = 48000;

// Sanity check of the TOC byte and frame-count framing (RFC 6716 3.1-3.2):
// cheap enough to run before handing untrusted bytes to the decoder, not a
// full validation (the decoder rejects the rest).
inline bool valid_opus_payload(ByteView p) {
  constexpr size_t kMaxFrameBytes = 1275;
  constexpr unsigned kMaxDuration = 48;  // 120 ms in 2.5 ms units
  if (p.empty()) return false;
  const uint8_t config = p[0] >> 3;
  const size_t body = p.size() - 1;
  switch (p[0] & 0x3) {
    case 0:  // one frame
      return body <= kMaxFrameBytes;
    case 1:  // two frames of equal size
      return body % 2 == 0 && body / 2 <= kMaxFrameBytes;
    case 2: {  // two frames, the first one's length coded in 1-2 bytes
      if (body < 1) return false;
      const size_t len_bytes = p[1] < 252 ? 1 : 2;
      if (body < len_bytes) return false;
      const size_t first = len_bytes == 1 ? p[1] : p[1] + 4 * size_t(p[2]);
      return first <= body - len_bytes && first <= kMaxFrameBytes &&
             body - len_bytes - first <= kMaxFrameBytes;
    }
    default: {  // code 3: frame count byte, at most 120 ms of audio
      if (body < 1) return false;
      const unsigned frames = p[1] & 0x3F;
      // Frame duration in 2.5 ms units: SILK 10/20/40/60, hybrid 10/20, CELT 2.5/5/10/20 ms.
      static constexpr uint8_t kSilk[] = {4, 8, 16, 24}, kHybrid[] = {4, 8}, kCelt[] = {1, 2, 4, 8};
      const unsigned duration = config < 12 ? kSilk[config % 4]
                                : config < 16 ? kHybrid[config % 2]
                                              : kCelt[config % 4];
      return frames >= 1 && frames * duration <= kMaxDuration;
    }
  }
}

}  // namespace peercall
