#include "rtp/sequence_unwrapper.hpp"

#include <gtest/gtest.h>

using namespace peercall;

TEST(SequenceUnwrapper, ForwardWrap) {
  SequenceUnwrapper u;
  EXPECT_FALSE(u.last().has_value());
  EXPECT_EQ(u.unwrap(65534), 65534);
  EXPECT_EQ(u.unwrap(65535), 65535);
  EXPECT_EQ(u.unwrap(0), 65536);
  EXPECT_EQ(u.unwrap(1), 65537);
  EXPECT_EQ(u.last(), 65537);
}

TEST(SequenceUnwrapper, ReorderedAcrossWrap) {
  SequenceUnwrapper u;
  EXPECT_EQ(u.unwrap(65534), 65534);
  EXPECT_EQ(u.unwrap(0), 65536);
  EXPECT_EQ(u.unwrap(65535), 65535);  // late, before the wrap
  EXPECT_EQ(u.unwrap(1), 65537);
  EXPECT_EQ(u.unwrap(65533), 65533);  // later still
  EXPECT_EQ(u.unwrap(2), 65538);
}

TEST(SequenceUnwrapper, LateBeforeTheFirstGoesNegative) {
  SequenceUnwrapper u;
  EXPECT_EQ(u.unwrap(0), 0);
  EXPECT_EQ(u.unwrap(65535), -1);
  EXPECT_EQ(u.unwrap(1), 1);
}

TEST(SequenceUnwrapper, ManyWrapsAndGaps) {
  SequenceUnwrapper u;
  int64_t expected = 40'000;
  for (int i = 0; i < 20'000; ++i) {
    ASSERT_EQ(u.unwrap(uint16_t(expected)), expected);
    expected += 1 + i % 300;  // gaps well under half the range
  }
  EXPECT_GT(expected, 10 * 65536);
}

TEST(SequenceUnwrapper, Reset) {
  SequenceUnwrapper u;
  u.unwrap(65535);
  u.unwrap(5);
  u.reset();
  EXPECT_EQ(u.unwrap(7), 7);
}

TEST(TimestampUnwrapper, WrapBothWays) {
  TimestampUnwrapper u;
  EXPECT_EQ(u.unwrap(0xfffffff0u), 0xfffffff0);
  EXPECT_EQ(u.unwrap(0x10), 0x100000010);
  EXPECT_EQ(u.unwrap(0xffffff00u), 0xffffff00);
  EXPECT_EQ(u.unwrap(3000), 0x100000000 + 3000);
}
