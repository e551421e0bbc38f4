#include "rtp/red_packet.hpp"

namespace peercall {

void write_red_payload(uint8_t block_type, ByteView block, Bytes& out) {
  out.reserve(out.size() + kRedHeaderSize + block.size());
  out.push_back(uint8_t(block_type & 0x7f));  // F=0: the last (only) block
  out.insert(out.end(), block.begin(), block.end());
}

Result<RedBlock> parse_red_payload(ByteView payload) {
  if (payload.empty()) return Error{"red: empty payload"};
  if (payload[0] & 0x80) return Error{"red: more than one block"};
  return RedBlock{uint8_t(payload[0] & 0x7f), payload.subspan(kRedHeaderSize)};
}

Result<Bytes> packet_inside_red(ByteView red) {
  auto parsed = parse_rtp(red);
  if (!parsed) return Error{parsed.error()};
  auto block = parse_red_payload(parsed->payload);
  if (!block) return Error{block.error()};
  const size_t headers = size_t(parsed->payload.data() - red.data());
  Bytes out;
  out.reserve(red.size() - kRedHeaderSize);
  out.insert(out.end(), red.begin(), red.begin() + ptrdiff_t(headers));
  out[1] = uint8_t((out[1] & 0x80) | block->payload_type);
  // The block and any padding after it, as sent.
  out.insert(out.end(), red.begin() + ptrdiff_t(headers + kRedHeaderSize), red.end());
  return out;
}

}  // namespace peercall
