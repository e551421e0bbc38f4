// The ULPFEC egress: frames of a RED stream collected as they leave the pacer.
#include "session/sent_frame_collector.hpp"

#include <gtest/gtest.h>

#include "rtp/red_packet.hpp"
#include "rtp/rtp_header_extensions.hpp"
#include "rtp/rtp_packet.hpp"

namespace peercall {
namespace {

constexpr uint32_t kSsrc = 0xabc;
constexpr uint8_t kRed = 100, kH264 = 96, kUlpfec = 101;

Bytes red_packet(uint16_t seq, uint32_t ts, bool marker, uint8_t block_type = kH264,
                 uint32_t ssrc = kSsrc, uint16_t transport_seq = 0) {
  RtpHeader h;
  h.payload_type = kRed;
  h.sequence_number = seq;
  h.timestamp = ts;
  h.marker = marker;
  h.ssrc = ssrc;
  Bytes payload;
  write_red_payload(block_type, Bytes{uint8_t(seq), 0x11, 0x22}, payload);
  Bytes out;
  const auto tcc = encode_transport_sequence(transport_seq);
  write_rtp_with_extensions(h, {HeaderExtension{3, ByteView(tcc.data(), tcc.size())}}, payload, out);
  return out;
}

TEST(SentFrameCollector, HandsOverAFrameWhenItsMarkerLeavesInTheFormRepairsCover) {
  SentFrameCollector c(kSsrc, kRed, kH264);
  c.note_frame(3000, true);
  EXPECT_FALSE(c.on_sent(red_packet(10, 3000, false, kH264, kSsrc, 500)));
  EXPECT_FALSE(c.on_sent(red_packet(7, 0, false, kH264, 0x999))) << "another stream";
  EXPECT_FALSE(c.on_sent(red_packet(11, 3000, false, kH264, kSsrc, 501)));
  auto frame = c.on_sent(red_packet(12, 3000, true, kH264, kSsrc, 502));
  ASSERT_TRUE(frame);
  EXPECT_TRUE(frame->keyframe);
  ASSERT_EQ(frame->packets.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(frame->packets[i][1] & 0x7f, kH264);
    EXPECT_EQ(read_transport_sequence(frame->packets[i], 3), 500 + i) << "stamped as it left";
  }
  // The frame's repairs, a resend of an old packet: ignored.
  EXPECT_FALSE(c.on_sent(red_packet(13, 3000, false, kUlpfec)));
  EXPECT_FALSE(c.on_sent(red_packet(11, 3000, false)));
  auto next = c.on_sent(red_packet(14, 6000, true));
  ASSERT_TRUE(next);
  EXPECT_FALSE(next->keyframe) << "not noted as a keyframe";
  EXPECT_EQ(c.frames(), 2u);
}

TEST(SentFrameCollector, AFrameMissingAPacketIsNotHandedOver) {
  SentFrameCollector c(kSsrc, kRed, kH264);
  EXPECT_FALSE(c.on_sent(red_packet(20, 3000, false)));
  // 21 dropped unsent (behind a keyframe).
  EXPECT_FALSE(c.on_sent(red_packet(22, 3000, true)));
  EXPECT_FALSE(c.on_sent(red_packet(23, 6000, false)));  // a new frame starts
  EXPECT_TRUE(c.on_sent(red_packet(24, 6000, true)));
  EXPECT_EQ(c.incomplete(), 1u);
  Bytes plain;
  write_rtp(RtpHeader{true, kH264, 25, 9000, kSsrc, {}}, Bytes{1, 2}, plain);
  EXPECT_FALSE(c.on_sent(plain)) << "not RED";
  EXPECT_FALSE(c.on_sent(Bytes{0x80, 0x64})) << "too short";
}

}  // namespace
}  // namespace peercall
