#pragma once
// The Data Channel Establishment Protocol (RFC 8832): DATA_CHANNEL_OPEN and
// DATA_CHANNEL_ACK, carried with PPID 50 on the channel's own stream, and the
// PPIDs of user messages (RFC 8831 section 8). Parsing is strict: exact
// lengths, known message and channel types, UTF-8 label and protocol.
#include <cstdint>
#include <optional>
#include <string>
#include <variant>

#include "core/bytes.hpp"
#include "core/result.hpp"

namespace peercall {

namespace ppid {
constexpr uint32_t kDcep = 50;
constexpr uint32_t kString = 51;
constexpr uint32_t kBinary = 53;
constexpr uint32_t kStringEmpty = 56;  // an empty string (SCTP cannot carry zero bytes)
constexpr uint32_t kBinaryEmpty = 57;
}  // namespace ppid

// The reliability a channel asks for (RFC 8832 section 5.1, channel types).
struct ChannelReliability {
  bool ordered = true;
  std::optional<uint16_t> max_retransmits;  // PARTIAL_RELIABLE_REXMIT
  std::optional<uint32_t> max_lifetime_ms;  // PARTIAL_RELIABLE_TIMED
  bool operator==(const ChannelReliability&) const = default;
};

struct DcepOpen {
  ChannelReliability reliability;
  uint16_t priority = 256;  // RFC 8831 6.4 "normal"
  std::string label;
  std::string protocol;
  bool operator==(const DcepOpen&) const = default;
};

struct DcepAck {
  bool operator==(const DcepAck&) const = default;
};

using DcepMessage = std::variant<DcepOpen, DcepAck>;

// Longest label or protocol we write or accept (each field has a 16-bit length).
constexpr size_t kMaxDcepString = 1024;

Result<DcepMessage> parse_dcep(ByteView payload);
Result<Bytes> write_dcep_open(const DcepOpen& open);
Bytes write_dcep_ack();

bool is_valid_utf8(std::string_view text);

}  // namespace peercall
