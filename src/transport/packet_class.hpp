#pragma once
// RFC 7983 (updating RFC 5764 5.1.2): what a datagram on the shared port is,
// from its first byte alone. STUN, DTLS and SRTP/SRTCP share one 5-tuple.
#include <cstdint>

#include "core/bytes.hpp"

namespace peercall {

enum class PacketClass { kStun, kZrtp, kDtls, kTurnChannel, kRtp, kRtcp, kUnknown };

inline PacketClass classify_packet(ByteView datagram) {
  if (datagram.empty()) return PacketClass::kUnknown;
  const uint8_t b = datagram[0];
  if (b <= 3) return PacketClass::kStun;
  if (b >= 16 && b <= 19) return PacketClass::kZrtp;
  if (b >= 20 && b <= 63) return PacketClass::kDtls;
  if (b >= 64 && b <= 79) return PacketClass::kTurnChannel;
  if (b >= 128 && b <= 191) {
    // RTCP packet types 192..223 (RFC 5761 4): the second byte with the marker bit.
    if (datagram.size() >= 2 && datagram[1] >= 192 && datagram[1] <= 223) return PacketClass::kRtcp;
    return PacketClass::kRtp;
  }
  return PacketClass::kUnknown;
}

}  // namespace peercall
