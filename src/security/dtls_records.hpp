#pragma once
// A check of DTLS record framing (RFC 6347 4.1) before a datagram reaches
// OpenSSL: every record header complete, its length inside the datagram, a
// known content type, version major 0xFE. Garbage is counted and dropped here.
#include <optional>

#include "core/bytes.hpp"

namespace peercall {

constexpr size_t kDtlsRecordHeaderBytes = 13;

// The number of well-framed records filling `datagram` exactly; nullopt if any
// part of it is not a DTLS record.
std::optional<size_t> count_dtls_records(ByteView datagram);

}  // namespace peercall
