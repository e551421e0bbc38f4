#include "media/audio/jitter/rtp_unwrapper.hpp"

#include <gtest/gtest.h>

namespace peercall {
namespace {

TEST(RtpUnwrapper, SequenceNumbersWrapForward) {
  SequenceUnwrapper u;
  EXPECT_EQ(u.unwrap(65534), 65534);
  EXPECT_EQ(u.unwrap(65535), 65535);
  EXPECT_EQ(u.unwrap(0), 65536);
  EXPECT_EQ(u.unwrap(1), 65537);
  for (int i = 2; i < 200'000; ++i) ASSERT_EQ(u.unwrap(uint16_t(i)), 65536 + i);
}

TEST(RtpUnwrapper, ReorderedValuesAcrossTheWrapStayBehind) {
  SequenceUnwrapper u;
  u.unwrap(65535);
  EXPECT_EQ(u.unwrap(1), 65537);
  EXPECT_EQ(u.unwrap(0), 65536);      // late, after the wrap
  EXPECT_EQ(u.unwrap(65534), 65534);  // later still, before it
  EXPECT_EQ(u.unwrap(2), 65538);
}

TEST(RtpUnwrapper, TimestampsWrapAndJump) {
  TimestampUnwrapper u;
  EXPECT_EQ(u.unwrap(0xFFFF'FC40u), 0xFFFF'FC40ll);
  EXPECT_EQ(u.unwrap(0x0000'0000u), 0x1'0000'0000ll);
  EXPECT_EQ(u.unwrap(48'000u * 60), 0x1'0000'0000ll + 48'000ll * 60);  // a minute's jump
  u.reset();
  EXPECT_EQ(u.unwrap(5u), 5);
}

}  // namespace
}  // namespace peercall
