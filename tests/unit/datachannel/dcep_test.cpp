#include "datachannel/dcep.hpp"

#include <gtest/gtest.h>

namespace peercall {
namespace {

Bytes open_bytes(uint8_t channel_type, uint32_t reliability, const std::string& label,
                 const std::string& protocol) {
  Bytes b = {0x03, channel_type, 0x01, 0x00};
  ByteWriter w(b);
  w.u32(reliability);
  w.u16(uint16_t(label.size()));
  w.u16(uint16_t(protocol.size()));
  b.insert(b.end(), label.begin(), label.end());
  b.insert(b.end(), protocol.begin(), protocol.end());
  return b;
}

TEST(Dcep, OpenRoundTripsEveryChannelType) {
  std::vector<ChannelReliability> kinds = {
      {true, {}, {}},  {false, {}, {}}, {true, 3, {}},
      {false, 0, {}},  {true, {}, 1500}, {false, {}, 0xFFFFFFFF}};
  for (const auto& rel : kinds) {
    DcepOpen open{rel, 512, "peercall", "chat-v1"};
    auto wire = write_dcep_open(open);
    ASSERT_TRUE(wire.ok()) << wire.error();
    auto parsed = parse_dcep(*wire);
    ASSERT_TRUE(parsed.ok()) << parsed.error();
    ASSERT_TRUE(std::holds_alternative<DcepOpen>(*parsed));
    EXPECT_EQ(std::get<DcepOpen>(*parsed), open);
  }
}

TEST(Dcep, OpenWireFormatIsRfc8832) {
  DcepOpen open{{false, 7, {}}, 256, "ab", "x"};
  Bytes expected = {0x03, 0x81, 0x01, 0x00, 0, 0, 0, 7, 0, 2, 0, 1, 'a', 'b', 'x'};
  EXPECT_EQ(*write_dcep_open(open), expected);
}

TEST(Dcep, BrowserStyleOpenParses) {
  // What Chromium sends for createDataChannel("peercall"): reliable, ordered, no protocol.
  auto parsed = parse_dcep(open_bytes(0x00, 0, "peercall", ""));
  ASSERT_TRUE(parsed.ok()) << parsed.error();
  auto& open = std::get<DcepOpen>(*parsed);
  EXPECT_EQ(open.label, "peercall");
  EXPECT_EQ(open.protocol, "");
  EXPECT_TRUE(open.reliability.ordered);
  EXPECT_FALSE(open.reliability.max_retransmits);
  EXPECT_EQ(open.priority, 256);
}

TEST(Dcep, ReliableChannelIgnoresTheReliabilityField) {
  auto parsed = parse_dcep(open_bytes(0x00, 99, "x", ""));
  ASSERT_TRUE(parsed.ok());
  EXPECT_FALSE(std::get<DcepOpen>(*parsed).reliability.max_retransmits);
}

TEST(Dcep, AckRoundTrips) {
  EXPECT_EQ(write_dcep_ack(), Bytes{0x02});
  auto parsed = parse_dcep(write_dcep_ack());
  ASSERT_TRUE(parsed.ok());
  EXPECT_TRUE(std::holds_alternative<DcepAck>(*parsed));
}

TEST(Dcep, RejectsMalformed) {
  EXPECT_FALSE(parse_dcep({}).ok());
  EXPECT_FALSE(parse_dcep(Bytes{0x02, 0x00}).ok());  // ACK with trailing bytes
  EXPECT_FALSE(parse_dcep(Bytes{0x04}).ok());        // unknown message type
  EXPECT_FALSE(parse_dcep(Bytes{0x03, 0x00, 0x01}).ok());  // truncated header
  Bytes good = open_bytes(0x00, 0, "label", "proto");
  Bytes truncated(good.begin(), good.end() - 1);
  EXPECT_FALSE(parse_dcep(truncated).ok());
  Bytes trailing = good;
  trailing.push_back('!');
  EXPECT_FALSE(parse_dcep(trailing).ok());
  EXPECT_FALSE(parse_dcep(open_bytes(0x03, 0, "x", "")).ok());  // unknown channel type
  EXPECT_FALSE(parse_dcep(open_bytes(0x83, 0, "x", "")).ok());
  EXPECT_FALSE(parse_dcep(open_bytes(0x01, 70000, "x", "")).ok());  // rexmit > 16 bits
  EXPECT_FALSE(parse_dcep(open_bytes(0x00, 0, "\xff\xfe", "")).ok());  // not UTF-8
  EXPECT_FALSE(parse_dcep(open_bytes(0x00, 0, std::string(1025, 'a'), "")).ok());
  // A label length pointing past the end.
  Bytes lying = {0x03, 0x00, 0x01, 0x00, 0, 0, 0, 0, 0xFF, 0xFF, 0, 0, 'a'};
  EXPECT_FALSE(parse_dcep(lying).ok());
}

TEST(Dcep, WriteRefusesWhatItWouldNotParse) {
  EXPECT_FALSE(write_dcep_open(DcepOpen{{true, 1, 100}, 256, "x", ""}).ok());
  EXPECT_FALSE(write_dcep_open(DcepOpen{{}, 256, std::string(2000, 'a'), ""}).ok());
  EXPECT_FALSE(write_dcep_open(DcepOpen{{}, 256, "\xc0\x80", ""}).ok());  // overlong NUL
}

TEST(Utf8, AcceptsValidRejectsInvalid) {
  EXPECT_TRUE(is_valid_utf8(""));
  EXPECT_TRUE(is_valid_utf8("hello"));
  EXPECT_TRUE(is_valid_utf8("gr\xc3\xbc\xc3\x9f"));        // grüß
  EXPECT_TRUE(is_valid_utf8("\xe2\x82\xac"));              // €
  EXPECT_TRUE(is_valid_utf8("\xf0\x9f\x98\x80"));          // 😀
  EXPECT_FALSE(is_valid_utf8("\xc3"));                     // truncated
  EXPECT_FALSE(is_valid_utf8("\xe2\x82"));
  EXPECT_FALSE(is_valid_utf8("\xed\xa0\x80"));             // surrogate
  EXPECT_FALSE(is_valid_utf8("\xf4\x90\x80\x80"));         // > U+10FFFF
  EXPECT_FALSE(is_valid_utf8("\xe0\x80\xaf"));             // overlong
  EXPECT_FALSE(is_valid_utf8("\x80"));
}

}  // namespace
}  // namespace peercall
