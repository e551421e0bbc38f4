#include "security/dtls_records.hpp"

namespace peercall {

std::optional<size_t> count_dtls_records(ByteView datagram) {
  ByteReader reader(datagram);
  size_t records = 0;
  while (reader.remaining() > 0) {
    uint8_t type = 0, major = 0, minor = 0;
    uint16_t epoch = 0, length = 0;
    ByteView seq, body;
    if (!reader.u8(type) || !reader.u8(major) || !reader.u8(minor) || !reader.u16(epoch) ||
        !reader.take(6, seq) || !reader.u16(length) || !reader.take(length, body))
      return std::nullopt;
    // change_cipher_spec, alert, handshake, application_data (heartbeat and
    // connection-id records are not negotiated by us).
    if (type < 20 || type > 23) return std::nullopt;
    if (major != 0xFE) return std::nullopt;
    ++records;
  }
  if (records == 0) return std::nullopt;
  return records;
}

}  // namespace peercall
