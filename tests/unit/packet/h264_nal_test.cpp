#include "packet/h264_nal.hpp"

#include <gtest/gtest.h>

using namespace peercall;

namespace {

Bytes to_bytes(ByteView v) { return Bytes(v.begin(), v.end()); }

}  // namespace

TEST(H264Nal, SplitsThreeAndFourByteStartCodes) {
  const Bytes stream{0, 0, 0, 1, 0x67, 1, 2,     // SPS after a 4-byte start code
                     0, 0, 1, 0x68, 3,           // PPS after a 3-byte one
                     0, 0, 0, 1, 0x65, 4, 5, 6,  // IDR
                     0, 0};                      // trailing_zero_8bits
  const auto nals = split_annexb(stream);
  ASSERT_EQ(nals.size(), 3u);
  EXPECT_EQ(to_bytes(nals[0]), (Bytes{0x67, 1, 2}));
  EXPECT_EQ(to_bytes(nals[1]), (Bytes{0x68, 3}));
  EXPECT_EQ(to_bytes(nals[2]), (Bytes{0x65, 4, 5, 6}));
  EXPECT_EQ(h264_nal_type(nals[0][0]), H264NalType::kSps);
  EXPECT_EQ(h264_nal_type(nals[1][0]), H264NalType::kPps);
  EXPECT_EQ(h264_nal_type(nals[2][0]), H264NalType::kIdr);
}

TEST(H264Nal, SkipsLeadingJunkAndEmptyUnits) {
  const Bytes stream{7, 7, 0, 0, 1, 0, 0, 1, 0x09, 0xF0, 0, 0, 0, 0, 1, 0x41, 0x9A};
  const auto nals = split_annexb(stream);
  ASSERT_EQ(nals.size(), 2u);
  EXPECT_EQ(to_bytes(nals[0]), (Bytes{0x09, 0xF0}));
  EXPECT_EQ(to_bytes(nals[1]), (Bytes{0x41, 0x9A}));
}

TEST(H264Nal, NoStartCodeMeansNoUnits) {
  EXPECT_TRUE(split_annexb(Bytes{}).empty());
  EXPECT_TRUE(split_annexb(Bytes{0x65, 1, 2, 3}).empty());
  EXPECT_TRUE(split_annexb(Bytes{0, 0, 1}).empty());
  EXPECT_TRUE(split_annexb(Bytes{0, 0, 0, 0, 0}).empty());
}

TEST(H264Nal, ZeroBytesInsideAUnitAreKept) {
  // 00 00 03 is emulation prevention, not a start code.
  const Bytes stream{0, 0, 1, 0x41, 0, 0, 3, 1, 0, 0x22};
  const auto nals = split_annexb(stream);
  ASSERT_EQ(nals.size(), 1u);
  EXPECT_EQ(to_bytes(nals[0]), (Bytes{0x41, 0, 0, 3, 1, 0, 0x22}));
}

TEST(H264Nal, AppendUsesFourByteStartCode) {
  Bytes out;
  append_annexb_nal(out, Bytes{0x67, 0x42});
  EXPECT_EQ(out, (Bytes{0, 0, 0, 1, 0x67, 0x42}));
}

TEST(H264Nal, PlainTypes) {
  EXPECT_FALSE(h264_is_plain_nal(H264NalType{0}));
  EXPECT_TRUE(h264_is_plain_nal(H264NalType::kSlice));
  EXPECT_TRUE(h264_is_plain_nal(H264NalType{23}));
  EXPECT_FALSE(h264_is_plain_nal(H264NalType::kStapA));
  EXPECT_FALSE(h264_is_plain_nal(H264NalType::kFuA));
  EXPECT_FALSE(h264_is_plain_nal(H264NalType{31}));
}
