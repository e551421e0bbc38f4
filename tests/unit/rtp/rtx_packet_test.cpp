#include "rtp/rtx_packet.hpp"

#include <gtest/gtest.h>

namespace peercall {
namespace {

TEST(RtxPacket, WrapsTheOriginalAfterItsSequenceNumber) {
  RtpHeader h;
  h.marker = true;
  h.payload_type = 96;
  h.sequence_number = 0xabcd;
  h.timestamp = 0x11223344;
  h.ssrc = 0x1000;
  h.csrcs = {7};
  const Bytes payload = {0x65, 1, 2, 3};
  Bytes original;
  write_rtp(h, payload, original);
  auto parsed = parse_rtp(original);
  ASSERT_TRUE(parsed);

  Bytes rtx;
  write_rtx(*parsed, 97, 0x2000, 5, rtx);
  auto wire = parse_rtp(rtx);
  ASSERT_TRUE(wire);
  EXPECT_EQ(wire->header.payload_type, 97);
  EXPECT_EQ(wire->header.ssrc, 0x2000u);
  EXPECT_EQ(wire->header.sequence_number, 5);
  EXPECT_EQ(wire->header.timestamp, h.timestamp);
  EXPECT_TRUE(wire->header.marker);
  EXPECT_EQ(wire->header.csrcs, h.csrcs);
  EXPECT_EQ(Bytes(wire->payload.begin(), wire->payload.end()),
            (Bytes{0xab, 0xcd, 0x65, 1, 2, 3}));  // OSN, then the original payload

  auto back = unwrap_rtx(*wire, 0x1000, 96);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->header.sequence_number, 0xabcd);
  EXPECT_EQ(back->header.ssrc, 0x1000u);
  EXPECT_EQ(back->header.payload_type, 96);
  EXPECT_EQ(back->header.timestamp, h.timestamp);
  EXPECT_TRUE(back->header.marker);
  EXPECT_EQ(Bytes(back->payload.begin(), back->payload.end()), payload);
}

TEST(RtxPacket, TooShortForTheOsnIsAnError) {
  RtpPacketView rtx;
  const uint8_t one = 1;
  rtx.payload = ByteView(&one, 1);
  EXPECT_FALSE(unwrap_rtx(rtx, 1, 96));
  rtx.payload = {};
  EXPECT_FALSE(unwrap_rtx(rtx, 1, 96));
  const uint8_t osn_only[] = {0, 9};
  rtx.payload = osn_only;
  auto probe = unwrap_rtx(rtx, 1, 96);
  ASSERT_TRUE(probe);
  EXPECT_EQ(probe->header.sequence_number, 9);
  EXPECT_TRUE(probe->payload.empty());
}

}  // namespace
}  // namespace peercall
