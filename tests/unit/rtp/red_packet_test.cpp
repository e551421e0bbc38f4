// RED (RFC 2198) with one block, as video FEC for browsers uses it.
#include "rtp/red_packet.hpp"

#include <gtest/gtest.h>

#include "rtp/rtp_header_extensions.hpp"

namespace peercall {
namespace {

TEST(RedPacket, OneBlockRoundTrips) {
  const Bytes block = {0x7c, 0x85, 1, 2, 3};
  Bytes payload;
  write_red_payload(96, block, payload);
  ASSERT_EQ(payload.size(), block.size() + 1);
  EXPECT_EQ(payload[0], 96) << "F=0, block PT";
  auto parsed = parse_red_payload(payload);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->payload_type, 96);
  EXPECT_EQ(Bytes(parsed->data.begin(), parsed->data.end()), block);
}

TEST(RedPacket, SeveralBlocksAndEmptyPayloadsAreErrors) {
  EXPECT_FALSE(parse_red_payload(Bytes{}).ok());
  const Bytes two_blocks = {0x80 | 96, 0x00, 0x00, 0x03, 96, 1, 2, 3, 4};
  EXPECT_FALSE(parse_red_payload(two_blocks).ok());
  // A block of nothing is a block (a repair of an empty packet could be).
  auto empty_block = parse_red_payload(Bytes{101});
  ASSERT_TRUE(empty_block.ok());
  EXPECT_TRUE(empty_block->data.empty());
}

TEST(RedPacket, InsideFormKeepsTheHeaderExtensionAndTakesTheBlockType) {
  RtpHeader h;
  h.payload_type = 100;  // red
  h.marker = true;
  h.sequence_number = 4242;
  h.timestamp = 90000;
  h.ssrc = 0x01020304;
  Bytes block_payload;
  write_red_payload(96, Bytes{9, 8, 7}, block_payload);
  const auto tcc = encode_transport_sequence(77);
  Bytes red;
  write_rtp_with_extensions(h, {HeaderExtension{3, ByteView(tcc.data(), tcc.size())}}, block_payload, red);
  auto inner = packet_inside_red(red);
  ASSERT_TRUE(inner.ok()) << inner.error();
  ASSERT_EQ(inner->size(), red.size() - 1);
  EXPECT_EQ((*inner)[1], 0x80 | 96) << "marker kept, PT the block's";
  EXPECT_TRUE(std::equal(red.begin() + 2, red.end() - 4, inner->begin() + 2)) << "header and extension as sent";
  auto parsed = parse_rtp(*inner);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(Bytes(parsed->payload.begin(), parsed->payload.end()), (Bytes{9, 8, 7}));
  EXPECT_EQ(read_transport_sequence(*inner, 3), 77);

  Bytes garbage = red;
  garbage.resize(kRtpHeaderSize - 1);
  EXPECT_FALSE(packet_inside_red(garbage).ok());
}

}  // namespace
}  // namespace peercall
