#include "rtp/rtp_header_extensions.hpp"

#include <algorithm>

namespace peercall {
namespace {

constexpr uint8_t kOneByteMaxId = 14;
constexpr uint8_t kOneByteStopId = 15;
constexpr size_t kOneByteMaxData = 16;
constexpr size_t kTwoByteMaxData = 255;

// Where the extension block's elements sit inside a datagram.
struct ExtensionBlock {
  uint16_t profile = 0;
  size_t offset = 0;  // of the first element byte
  size_t size = 0;    // element bytes (the length field times 4)
};

// Finds the block after the fixed header and CSRCs. nullopt: no X bit.
Result<std::optional<ExtensionBlock>> locate_block(ByteView datagram) {
  ByteReader r(datagram);
  uint8_t b0 = 0;
  if (!r.u8(b0) || !r.skip(kRtpHeaderSize - 1)) return Error{"rtp: truncated header"};
  if ((b0 >> 6) != 2) return Error{"rtp: bad version"};
  if (!r.skip(size_t(b0 & 0x0f) * 4)) return Error{"rtp: truncated header"};
  if (!(b0 & 0x10)) return std::optional<ExtensionBlock>{};
  ExtensionBlock block;
  uint16_t words = 0;
  if (!r.u16(block.profile) || !r.u16(words)) return Error{"rtp: bad extension length"};
  block.offset = r.position();
  block.size = size_t(words) * 4;
  if (r.remaining() < block.size) return Error{"rtp: bad extension length"};
  return std::optional<ExtensionBlock>{block};
}

// Element offsets (relative to the block) are what both parse and in-place
// writes need, so one walker yields them.
struct ElementSpan {
  uint8_t id = 0;
  size_t offset = 0;
  size_t size = 0;
};

Result<std::vector<ElementSpan>> walk_elements(ByteView block, bool one_byte) {
  std::vector<ElementSpan> out;
  size_t i = 0;
  while (i < block.size()) {
    const uint8_t b = block[i];
    if (b == 0) {  // padding byte (RFC 8285 4.2 / 4.3); a one-byte id 0 too
      ++i;
      continue;
    }
    if (one_byte) {
      const uint8_t id = b >> 4;
      if (id == 0) {  // id 0 is reserved for padding: its length is ignored
        ++i;
        continue;
      }
      if (id == kOneByteStopId) break;  // reserved: stop processing the block
      const size_t len = size_t(b & 0x0f) + 1;
      if (block.size() - i - 1 < len) return Error{"rtp: extension element overruns block"};
      out.push_back({id, i + 1, len});
      i += 1 + len;
    } else {
      if (block.size() - i < 2) return Error{"rtp: extension element overruns block"};
      const size_t len = block[i + 1];
      if (block.size() - i - 2 < len) return Error{"rtp: extension element overruns block"};
      out.push_back({b, i + 2, len});
      i += 2 + len;
    }
  }
  return out;
}

bool is_two_byte_profile(uint16_t profile) { return (profile & 0xfff0) == kTwoByteExtensionProfile; }

// The elements of a datagram with their offsets in the datagram itself.
Result<std::vector<ElementSpan>> locate_elements(ByteView datagram) {
  auto block = locate_block(datagram);
  if (!block) return Error{block.error()};
  if (!*block) return std::vector<ElementSpan>{};
  const ExtensionBlock& b = **block;
  const bool one_byte = b.profile == kOneByteExtensionProfile;
  if (!one_byte && !is_two_byte_profile(b.profile)) return std::vector<ElementSpan>{};
  auto spans = walk_elements(datagram.subspan(b.offset, b.size), one_byte);
  if (!spans) return spans;
  for (ElementSpan& s : *spans) s.offset += b.offset;
  return spans;
}

int64_t floor_div(int64_t a, int64_t b) {
  const int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

}  // namespace

Result<std::vector<HeaderExtension>> parse_rtp_header_extensions(ByteView datagram) {
  auto spans = locate_elements(datagram);
  if (!spans) return Error{spans.error()};
  std::vector<HeaderExtension> out;
  out.reserve(spans->size());
  for (const ElementSpan& s : *spans) out.push_back({s.id, datagram.subspan(s.offset, s.size)});
  return out;
}

std::optional<ByteView> find_header_extension(const std::vector<HeaderExtension>& extensions,
                                              uint8_t id) {
  for (const HeaderExtension& e : extensions) {
    if (e.id == id) return e.data;
  }
  return std::nullopt;
}

void write_rtp_with_extensions(const RtpHeader& header,
                               const std::vector<HeaderExtension>& extensions,
                               ByteView payload, Bytes& out) {
  const bool any = std::any_of(extensions.begin(), extensions.end(),
                               [](const HeaderExtension& e) { return e.id != 0; });
  if (!any) {
    write_rtp(header, payload, out);
    return;
  }
  const bool one_byte =
      std::all_of(extensions.begin(), extensions.end(), [](const HeaderExtension& e) {
        return e.id == 0 ||
               (e.id <= kOneByteMaxId && !e.data.empty() && e.data.size() <= kOneByteMaxData);
      });
  const size_t start = out.size();
  write_rtp(header, {}, out);
  out[start] |= 0x10;  // X bit
  ByteWriter w(out);
  w.u16(one_byte ? kOneByteExtensionProfile : kTwoByteExtensionProfile);
  const size_t length_at = w.size();
  w.u16(0);
  const size_t block_start = w.size();
  constexpr size_t kMaxBlockBytes = size_t(0xffff) * 4;
  for (const HeaderExtension& e : extensions) {
    if (e.id == 0) continue;
    const size_t len = std::min(e.data.size(), kTwoByteMaxData);
    if (w.size() - block_start + 2 + len > kMaxBlockBytes - 3) break;  // length field is full
    if (one_byte) {
      w.u8(uint8_t(e.id << 4 | (len - 1)));
    } else {
      w.u8(e.id);
      w.u8(uint8_t(len));
    }
    w.bytes(e.data.first(len));
  }
  while ((w.size() - block_start) % 4 != 0) w.u8(0);
  w.patch_u16(length_at, uint16_t((w.size() - block_start) / 4));
  w.bytes(payload);
}

bool set_extension_in_place(Bytes& packet, uint8_t id, ByteView value) {
  auto spans = locate_elements(packet);
  if (!spans) return false;
  for (const ElementSpan& s : *spans) {
    if (s.id != id) continue;
    if (s.size != value.size()) return false;
    std::copy(value.begin(), value.end(), packet.begin() + std::ptrdiff_t(s.offset));
    return true;
  }
  return false;
}

std::array<uint8_t, 2> encode_transport_sequence(uint16_t sequence) {
  return {uint8_t(sequence >> 8), uint8_t(sequence)};
}

std::optional<uint16_t> decode_transport_sequence(ByteView data) {
  if (data.size() != 2) return std::nullopt;
  return uint16_t(data[0] << 8 | data[1]);
}

uint32_t abs_send_time_24(Instant send_time) {
  // Split into whole seconds and the fraction so the 2^18 scaling cannot
  // overflow for any clock value.
  const int64_t us = to_micros(send_time);
  const int64_t secs = floor_div(us, 1'000'000);
  const int64_t frac_us = us - secs * 1'000'000;
  const uint64_t fixed = (uint64_t(secs) << 18) + uint64_t((frac_us << 18) / 1'000'000);
  return uint32_t(fixed & 0xffffff);
}

std::array<uint8_t, 3> encode_abs_send_time(Instant send_time) {
  const uint32_t v = abs_send_time_24(send_time);
  return {uint8_t(v >> 16), uint8_t(v >> 8), uint8_t(v)};
}

std::optional<uint32_t> decode_abs_send_time(ByteView data) {
  if (data.size() != 3) return std::nullopt;
  return uint32_t(data[0]) << 16 | uint32_t(data[1]) << 8 | data[2];
}

std::optional<uint16_t> read_transport_sequence(ByteView datagram, uint8_t id) {
  auto extensions = parse_rtp_header_extensions(datagram);
  if (!extensions) return std::nullopt;
  auto data = find_header_extension(*extensions, id);
  if (!data) return std::nullopt;
  return decode_transport_sequence(*data);
}

}  // namespace peercall
