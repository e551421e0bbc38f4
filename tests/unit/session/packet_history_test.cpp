#include "session/packet_history.hpp"

#include <gtest/gtest.h>

namespace peercall {
namespace {

const Instant t0 = instant_from_micros(1'000'000);

TEST(PacketHistory, KeepsPacketsBySequenceAcrossTheWrap) {
  PacketHistory h(1 << 20, seconds(1));
  for (uint16_t i = 0; i < 10; ++i) h.store(uint16_t(65530 + i), Bytes(100, uint8_t(i)), t0);
  auto found = h.resend(3, t0, milliseconds(10));  // 65530 + 9 wraps to 3
  ASSERT_EQ(found.status, PacketHistory::Status::kResend);
  EXPECT_EQ(found.packet.size(), 100u);
  EXPECT_EQ(found.packet[0], 9);
  EXPECT_EQ(h.resend(65529, t0, milliseconds(10)).status, PacketHistory::Status::kUnavailable);
  EXPECT_EQ(h.resend(4, t0, milliseconds(10)).status, PacketHistory::Status::kUnavailable);
}

TEST(PacketHistory, ResendsOncePerInterval) {
  PacketHistory h(1 << 20, seconds(1));
  h.store(7, Bytes(10), t0);
  EXPECT_EQ(h.resend(7, t0, milliseconds(50)).status, PacketHistory::Status::kResend);
  EXPECT_EQ(h.resend(7, t0 + milliseconds(49), milliseconds(50)).status, PacketHistory::Status::kTooSoon);
  EXPECT_EQ(h.resend(7, t0 + milliseconds(50), milliseconds(50)).status, PacketHistory::Status::kResend);
}

TEST(PacketHistory, BoundedByBytesAndAge) {
  PacketHistory h(1000, milliseconds(500));
  for (uint16_t i = 0; i < 20; ++i) h.store(i, Bytes(100), t0 + milliseconds(i * 10));
  EXPECT_EQ(h.packets(), 10u);
  EXPECT_LE(h.bytes(), 1000u);
  EXPECT_EQ(h.resend(9, t0, milliseconds(1)).status, PacketHistory::Status::kUnavailable);
  EXPECT_EQ(h.resend(10, t0 + milliseconds(200), milliseconds(1)).status, PacketHistory::Status::kResend);
  // 500 ms after the newest was sent, everything is too old to help.
  EXPECT_EQ(h.resend(19, t0 + milliseconds(190 + 501), milliseconds(1)).status,
            PacketHistory::Status::kUnavailable);
  EXPECT_EQ(h.packets(), 0u);
}

TEST(PacketHistory, ASequenceJumpStartsAfresh) {
  PacketHistory h(1 << 20, seconds(1));
  h.store(1, Bytes(10), t0);
  h.store(2, Bytes(10), t0);
  h.store(500, Bytes(10), t0);
  EXPECT_EQ(h.packets(), 1u);
  EXPECT_EQ(h.resend(1, t0, milliseconds(1)).status, PacketHistory::Status::kUnavailable);
  EXPECT_EQ(h.resend(500, t0, milliseconds(1)).status, PacketHistory::Status::kResend);
}

}  // namespace
}  // namespace peercall
