#include "datachannel/dcep.hpp"

namespace peercall {
namespace {

constexpr uint8_t kMessageAck = 0x02;
constexpr uint8_t kMessageOpen = 0x03;

// Channel types (RFC 8832 section 5.1); the high bit means unordered.
constexpr uint8_t kReliable = 0x00;
constexpr uint8_t kPartialRexmit = 0x01;
constexpr uint8_t kPartialTimed = 0x02;
constexpr uint8_t kUnorderedBit = 0x80;

constexpr size_t kOpenHeader = 12;  // type, channel type, priority, reliability, two lengths

}  // namespace

bool is_valid_utf8(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    uint8_t c = static_cast<uint8_t>(text[i]);
    size_t extra;
    uint32_t cp;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      extra = 1;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      extra = 2;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      extra = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + extra >= text.size()) return false;  // truncated sequence
    for (size_t k = 1; k <= extra; ++k) {
      uint8_t cc = static_cast<uint8_t>(text[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = cp << 6 | (cc & 0x3F);
    }
    // Overlong forms, surrogates and beyond U+10FFFF are not UTF-8.
    static constexpr uint32_t kMin[] = {0, 0x80, 0x800, 0x10000};
    if (cp < kMin[extra] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += extra + 1;
  }
  return true;
}

Result<DcepMessage> parse_dcep(ByteView payload) {
  ByteReader r(payload);
  uint8_t type;
  if (!r.u8(type)) return Error("dcep: empty message");
  if (type == kMessageAck) {
    if (r.remaining() != 0) return Error("dcep: DATA_CHANNEL_ACK with trailing bytes");
    return DcepMessage(DcepAck{});
  }
  if (type != kMessageOpen) return Error("dcep: unknown message type " + std::to_string(type));

  uint8_t channel_type;
  uint16_t priority, label_length, protocol_length;
  uint32_t reliability;
  if (!r.u8(channel_type) || !r.u16(priority) || !r.u32(reliability) || !r.u16(label_length) ||
      !r.u16(protocol_length))
    return Error("dcep: truncated DATA_CHANNEL_OPEN header");
  if (label_length > kMaxDcepString || protocol_length > kMaxDcepString)
    return Error("dcep: label or protocol longer than " + std::to_string(kMaxDcepString));
  if (r.remaining() != size_t(label_length) + protocol_length)
    return Error("dcep: DATA_CHANNEL_OPEN length " + std::to_string(payload.size()) +
                 " does not match its label and protocol lengths");

  DcepOpen open;
  open.priority = priority;
  open.reliability.ordered = !(channel_type & kUnorderedBit);
  switch (channel_type & ~kUnorderedBit) {
    case kReliable:
      break;  // the reliability parameter "MUST be ignored" here (RFC 8832 5.1)
    case kPartialRexmit:
      if (reliability > 0xFFFF) return Error("dcep: retransmission limit over 65535");
      open.reliability.max_retransmits = static_cast<uint16_t>(reliability);
      break;
    case kPartialTimed:
      open.reliability.max_lifetime_ms = reliability;
      break;
    default:
      return Error("dcep: unknown channel type " + std::to_string(channel_type));
  }
  ByteView label, protocol;
  r.take(label_length, label);
  r.take(protocol_length, protocol);
  open.label.assign(label.begin(), label.end());
  open.protocol.assign(protocol.begin(), protocol.end());
  if (!is_valid_utf8(open.label) || !is_valid_utf8(open.protocol))
    return Error("dcep: label or protocol is not UTF-8");
  return DcepMessage(std::move(open));
}

Result<Bytes> write_dcep_open(const DcepOpen& open) {
  const ChannelReliability& rel = open.reliability;
  if (open.label.size() > kMaxDcepString || open.protocol.size() > kMaxDcepString)
    return Error("dcep: label or protocol longer than " + std::to_string(kMaxDcepString));
  if (!is_valid_utf8(open.label) || !is_valid_utf8(open.protocol))
    return Error("dcep: label or protocol is not UTF-8");
  if (rel.max_retransmits && rel.max_lifetime_ms)
    return Error("dcep: a channel limits retransmissions or lifetime, not both");
  uint8_t channel_type = rel.max_retransmits ? kPartialRexmit
                         : rel.max_lifetime_ms ? kPartialTimed
                                               : kReliable;
  if (!rel.ordered) channel_type |= kUnorderedBit;
  uint32_t reliability = rel.max_retransmits ? *rel.max_retransmits
                         : rel.max_lifetime_ms ? *rel.max_lifetime_ms
                                               : 0;
  Bytes out;
  out.reserve(kOpenHeader + open.label.size() + open.protocol.size());
  ByteWriter w(out);
  w.u8(kMessageOpen);
  w.u8(channel_type);
  w.u16(open.priority);
  w.u32(reliability);
  w.u16(static_cast<uint16_t>(open.label.size()));
  w.u16(static_cast<uint16_t>(open.protocol.size()));
  w.bytes(ByteView(reinterpret_cast<const uint8_t*>(open.label.data()), open.label.size()));
  w.bytes(ByteView(reinterpret_cast<const uint8_t*>(open.protocol.data()), open.protocol.size()));
  return out;
}

Bytes write_dcep_ack() { return Bytes{kMessageAck}; }

}  // namespace peercall
