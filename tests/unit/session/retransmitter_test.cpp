#include "session/retransmitter.hpp"

#include <gtest/gtest.h>

#include <set>

#include "rtp/rtx_packet.hpp"

namespace peercall {
namespace {

const Instant t0 = instant_from_micros(1'000'000);

StreamConfig video(uint8_t rtx_pt, uint32_t rtx_ssrc) {
  StreamConfig c;
  c.payload_type = 96;
  c.local_ssrc = 0x1111;
  c.rtx_payload_type = rtx_pt;
  c.local_rtx_ssrc = rtx_ssrc;
  return c;
}

Bytes packet(uint16_t seq) {
  RtpHeader h;
  h.payload_type = 96;
  h.ssrc = 0x1111;
  h.sequence_number = seq;
  h.timestamp = 9000;
  const Bytes payload = {0x41, uint8_t(seq), 2, 3};
  Bytes out;
  write_rtp(h, payload, out);
  return out;
}

std::vector<Bytes> datagrams(std::deque<SessionOutput>& out) {
  std::vector<Bytes> d;
  for (auto& o : out) d.push_back(std::get<Transmit>(o).datagram);
  out.clear();
  return d;
}

TEST(Retransmitter, AnswersANackWithRtxPackets) {
  Retransmitter r(video(97, 0x2222), LossRecoveryConfig{}, 500);
  for (uint16_t s = 10; s < 20; ++s) r.remember(s, packet(s), t0);
  std::deque<SessionOutput> out;
  r.on_nack(GenericNack{1, 0x1111, {12, 15, 40}}, t0 + milliseconds(30), milliseconds(60), out);
  const auto sent = datagrams(out);
  ASSERT_EQ(sent.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    auto rtx = parse_rtp(sent[i]);
    ASSERT_TRUE(rtx);
    EXPECT_EQ(rtx->header.ssrc, 0x2222u);
    EXPECT_EQ(rtx->header.payload_type, 97);
    EXPECT_EQ(rtx->header.sequence_number, 500 + i);  // RTX numbers its own packets
    auto original = unwrap_rtx(*rtx, 0x1111, 96);
    ASSERT_TRUE(original);
    EXPECT_EQ(original->header.sequence_number, i == 0 ? 12 : 15);
    EXPECT_EQ(original->payload[1], i == 0 ? 12 : 15);
  }
  EXPECT_EQ(r.stats().nacks_received, 1u);
  EXPECT_EQ(r.stats().packets_requested, 3u);
  EXPECT_EQ(r.stats().packets_retransmitted, 2u);
  EXPECT_EQ(r.stats().packets_unavailable, 1u);
}

TEST(Retransmitter, SecondCopiesGoApartWithTheirOwnRtxNumbers) {
  Retransmitter r(video(97, 0x2222), LossRecoveryConfig{}, 700);
  for (uint16_t s = 10; s < 20; ++s) r.remember(s, packet(s), t0);
  std::deque<SessionOutput> out, again;
  r.on_nack(GenericNack{1, 0x1111, {12, 15}}, t0 + milliseconds(30), milliseconds(60), out, &again);
  const auto first = datagrams(out), second = datagrams(again);
  ASSERT_EQ(first.size(), 2u);
  ASSERT_EQ(second.size(), 2u);
  std::set<uint16_t> rtx_numbers;
  for (const auto* set : {&first, &second})
    for (size_t i = 0; i < 2; ++i) {
      auto rtx = parse_rtp((*set)[i]);
      ASSERT_TRUE(rtx);
      rtx_numbers.insert(rtx->header.sequence_number);
      EXPECT_EQ(unwrap_rtx(*rtx, 0x1111, 96)->header.sequence_number, i == 0 ? 12 : 15);
    }
  EXPECT_EQ(rtx_numbers.size(), 4u);  // SRTP keeps both copies
  EXPECT_EQ(r.stats().packets_retransmitted, 4u);
}

TEST(Retransmitter, NoSecondCopyWithoutRtx) {
  Retransmitter r(video(0, 0), LossRecoveryConfig{}, 700);
  r.remember(12, packet(12), t0);
  std::deque<SessionOutput> out, again;
  r.on_nack(GenericNack{1, 0x1111, {12}}, t0 + milliseconds(30), milliseconds(60), out, &again);
  EXPECT_EQ(out.size(), 1u);
  EXPECT_TRUE(again.empty());  // the same packet twice would be an SRTP replay
}

TEST(Retransmitter, ThrottlesRepeatsToHalfTheRtt) {
  Retransmitter r(video(97, 0x2222), LossRecoveryConfig{}, 0);
  r.remember(5, packet(5), t0);
  std::deque<SessionOutput> out;
  const Duration rtt = milliseconds(100);
  r.on_nack(GenericNack{1, 0x1111, {5}}, t0, rtt, out);
  r.on_nack(GenericNack{1, 0x1111, {5}}, t0 + milliseconds(49), rtt, out);
  EXPECT_EQ(datagrams(out).size(), 1u);
  EXPECT_EQ(r.stats().packets_throttled, 1u);
  r.on_nack(GenericNack{1, 0x1111, {5}}, t0 + milliseconds(50), rtt, out);
  EXPECT_EQ(datagrams(out).size(), 1u);
}

TEST(Retransmitter, WithoutRtxResendsTheOriginal) {
  Retransmitter r(video(0, 0), LossRecoveryConfig{}, 0);
  r.remember(5, packet(5), t0);
  std::deque<SessionOutput> out;
  r.on_nack(GenericNack{1, 0x1111, {5}}, t0, milliseconds(50), out);
  const auto sent = datagrams(out);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0], packet(5));
}

TEST(Retransmitter, ForgetsPacketsOlderThanTheHistory) {
  LossRecoveryConfig c;
  c.history_age = milliseconds(300);
  Retransmitter r(video(97, 0x2222), c, 0);
  r.remember(5, packet(5), t0);
  std::deque<SessionOutput> out;
  r.on_nack(GenericNack{1, 0x1111, {5}}, t0 + milliseconds(301), milliseconds(50), out);
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(r.stats().packets_unavailable, 1u);
}

TEST(Retransmitter, AKeyframeSupersedesNacksForWhatWasSentBeforeIt) {
  Retransmitter r(video(97, 0x2222), LossRecoveryConfig{}, 500);
  for (uint16_t s = 65530; s != 6; ++s) r.remember(s, packet(s), t0);  // across the wrap
  r.supersede_before(2);  // the keyframe's first packet
  std::deque<SessionOutput> out;
  r.on_nack(GenericNack{1, 0x1111, {65533, 1, 2, 4}}, t0 + milliseconds(30), milliseconds(60), out);
  const auto sent = datagrams(out);
  ASSERT_EQ(sent.size(), 2u);
  for (size_t i = 0; i < 2; ++i)
    EXPECT_EQ(unwrap_rtx(*parse_rtp(sent[i]), 0x1111, 96)->header.sequence_number, i == 0 ? 2 : 4);
  EXPECT_EQ(r.stats().packets_superseded, 2u);
  EXPECT_EQ(r.stats().packets_retransmitted, 2u);
}

}  // namespace
}  // namespace peercall
