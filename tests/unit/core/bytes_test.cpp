#include "core/bytes.hpp"

#include <gtest/gtest.h>

using namespace peercall;

TEST(Bytes, RoundTripBigEndian) {
  Bytes buf;
  ByteWriter w(buf);
  w.u8(0xab);
  w.u16(0x1234);
  w.u24(0x56789a);
  w.u32(0xdeadbeef);
  ASSERT_EQ(buf.size(), 10u);
  EXPECT_EQ(buf[1], 0x12);
  ByteReader r(buf);
  uint8_t a;
  uint16_t b;
  uint32_t c, d;
  ASSERT_TRUE(r.u8(a) && r.u16(b) && r.u24(c) && r.u32(d));
  EXPECT_EQ(a, 0xab);
  EXPECT_EQ(b, 0x1234);
  EXPECT_EQ(c, 0x56789au);
  EXPECT_EQ(d, 0xdeadbeefu);
  EXPECT_EQ(r.remaining(), 0u);
}

TEST(Bytes, ReaderNeverReadsPastEnd) {
  Bytes buf{1, 2, 3};
  ByteReader r(buf);
  uint32_t v = 0;
  EXPECT_FALSE(r.u32(v));
  EXPECT_EQ(r.position(), 0u);
  ByteView out;
  EXPECT_FALSE(r.take(4, out));
  EXPECT_TRUE(r.take(3, out));
  EXPECT_EQ(out.size(), 3u);
}
