// The pacer: sends a frame within its burst allowance at once and spreads
// what is beyond it at the pacing rate, lets audio overtake video, bounds the
// queue in time without dropping, and says when to poll next.
#include <gtest/gtest.h>

#include <vector>

#include "cc/bwe/pacer.hpp"

namespace peercall {
namespace {

const Instant kStart = Instant{} + seconds(100);

Bytes packet(size_t size, uint8_t tag) { return Bytes(size, tag); }

struct Departure {
  Instant at;
  Bytes packet;
};

// Polls exactly at next_send_time() until the pacer is empty (or `until`).
std::vector<Departure> drain(Pacer& pacer, Instant from, Instant until = Instant::max()) {
  std::vector<Departure> out;
  Instant now = from;
  while (!pacer.empty()) {
    while (std::optional<Bytes> p = pacer.poll(now)) out.push_back({now, std::move(*p)});
    if (pacer.empty()) break;
    Instant next = pacer.next_send_time();
    EXPECT_GT(next, now) << "next_send_time() must move on once poll returned nothing";
    if (next <= now || next > until) break;
    now = next;
  }
  return out;
}

double ms_between(Instant a, Instant b) { return to_micros(b - a) / 1000.0; }

// A pacer with a 5 ms burst allowance, to see the spreading in small numbers.
Pacer small_burst_pacer(int64_t rate_bps) {
  PacerConfig config;
  config.initial_rate_bps = rate_bps;
  config.burst = milliseconds(5);
  return Pacer(config);
}

TEST(BwePacer, AVideoFrameWithinTheBurstAllowanceLeavesWhole) {
  // 720p at 1.5 Mbit/s: ~5.6 kB frames in 5 packets, paced at 2.5 x 2.5 Mbit/s.
  Pacer pacer;
  pacer.set_pacing_rate(6'250'000);
  for (int frame = 0; frame < 30; ++frame) {
    const Instant at = kStart + microseconds(33'333 * frame);
    for (int i = 0; i < 5; ++i) pacer.enqueue(packet(1150, uint8_t(i)), PacketPriority::kVideo, at);
    std::vector<Departure> sent = drain(pacer, at);
    ASSERT_EQ(sent.size(), 5u);
    EXPECT_EQ(sent.back().at, at) << "frame " << frame << " left whole at once";
  }
  // A 9.4 kB keyframe (the encoder's VBV at the cap) too.
  const Instant key_at = kStart + seconds(1);
  for (int i = 0; i < 8; ++i) pacer.enqueue(packet(1175, uint8_t(i)), PacketPriority::kVideo, key_at);
  EXPECT_EQ(drain(pacer, key_at).back().at, key_at);
}

TEST(BwePacer, AtALowRateTheBurstIsSmallInBytes) {
  // An estimate of 160 kbit/s, paced at 2.5 x: 40 ms bank 2000 B, and the
  // third of five 1200 B packets already waits for the rate.
  Pacer pacer;
  pacer.set_pacing_rate(400'000);
  for (int i = 0; i < 5; ++i) pacer.enqueue(packet(1200, uint8_t(i)), PacketPriority::kVideo, kStart);
  std::vector<Departure> sent = drain(pacer, kStart);
  ASSERT_EQ(sent.size(), 5u);
  EXPECT_EQ(sent[1].at, kStart) << "the first packet leaves a positive budget";
  EXPECT_GT(sent[2].at, kStart);
  // 6000 B at 50 kB/s = 120 ms, less the 2000 B banked (40 ms) and the last packet's 24 ms.
  EXPECT_NEAR(ms_between(kStart, sent.back().at), 120.0 - 40.0 - 24.0, 0.5);
}

TEST(BwePacer, IdleTimeBanksNoMoreThanTheBurstAllowance) {
  Pacer pacer;
  pacer.set_pacing_rate(1'000'000);  // 40 ms = 5000 B
  pacer.enqueue(packet(100, 0), PacketPriority::kVideo, kStart);
  ASSERT_TRUE(pacer.poll(kStart));
  const Instant later = kStart + seconds(10);  // 10 s idle would be 1.25 MB
  for (int i = 0; i < 10; ++i) pacer.enqueue(packet(1000, uint8_t(i)), PacketPriority::kVideo, later);
  int at_once = 0;
  while (pacer.poll(later)) ++at_once;
  EXPECT_EQ(at_once, 5) << "5000 B banked: five 1000 B packets, not the 1.25 MB of 10 s";
}

TEST(BwePacer, SpreadsAThirtyPacketFrameOverTheIntervalAtTheRate) {
  Pacer pacer = small_burst_pacer(2'500'000);
  for (int i = 0; i < 30; ++i) pacer.enqueue(packet(1200, uint8_t(i)), PacketPriority::kVideo, kStart);
  std::vector<Departure> sent = drain(pacer, kStart);
  ASSERT_EQ(sent.size(), 30u);
  for (int i = 0; i < 30; ++i) EXPECT_EQ(sent[i].packet[0], i) << "video leaves in FIFO order";
  // 30 x 1200 B at 2.5 Mbit/s is 115.2 ms; the first packet goes at once and
  // the burst allowance (5 ms = 1562 B) lets one more through early.
  double span = ms_between(sent.front().at, sent.back().at);
  EXPECT_EQ(sent.front().at, kStart);
  EXPECT_NEAR(span, 115.2 - 5.0 - 3.84, 1.0);
  double gap = ms_between(sent[10].at, sent[11].at);
  EXPECT_NEAR(gap, 3.84, 0.05);
}

TEST(BwePacer, ALonePacketLeavesAtOnce) {
  Pacer pacer;
  pacer.set_pacing_rate(300'000);
  pacer.enqueue(packet(1200, 1), PacketPriority::kVideo, kStart);
  EXPECT_EQ(pacer.next_send_time(), kStart);
  EXPECT_TRUE(pacer.poll(kStart).has_value());
  EXPECT_EQ(pacer.next_send_time(), Instant::max());
  // After a pause as long as the packet took at the rate, the next one is not delayed either.
  Instant later = kStart + milliseconds(40);
  pacer.enqueue(packet(1200, 2), PacketPriority::kVideo, later);
  EXPECT_TRUE(pacer.poll(later).has_value());
}

TEST(BwePacer, AudioOvertakesQueuedVideoAndIsNeverDelayed) {
  Pacer pacer = small_burst_pacer(500'000);
  for (int i = 0; i < 20; ++i) pacer.enqueue(packet(1200, 'v'), PacketPriority::kVideo, kStart);
  ASSERT_TRUE(pacer.poll(kStart));  // the budget is now spent for ~19 ms
  EXPECT_FALSE(pacer.poll(kStart + milliseconds(1)));
  Instant audio_at = kStart + milliseconds(2);
  pacer.enqueue(packet(100, 'a'), PacketPriority::kAudio, audio_at);
  EXPECT_EQ(pacer.next_send_time(), audio_at);
  std::optional<Bytes> p = pacer.poll(audio_at);
  ASSERT_TRUE(p);
  EXPECT_EQ((*p)[0], 'a');
}

TEST(BwePacer, RetransmissionsGoBeforeVideoAndPaddingLast) {
  Pacer pacer;
  pacer.set_pacing_rate(1'000'000);
  pacer.enqueue(packet(1200, 'p'), PacketPriority::kPadding, kStart);
  pacer.enqueue(packet(1200, 'v'), PacketPriority::kVideo, kStart);
  pacer.enqueue(packet(1200, 'r'), PacketPriority::kRetransmission, kStart);
  std::vector<Departure> sent = drain(pacer, kStart);
  ASSERT_EQ(sent.size(), 3u);
  EXPECT_EQ(sent[0].packet[0], 'r');
  EXPECT_EQ(sent[1].packet[0], 'v');
  EXPECT_EQ(sent[2].packet[0], 'p');
}

TEST(BwePacer, AQueueLongerThanTheBoundDrainsWithinItWithoutDropping) {
  Pacer pacer;
  pacer.set_pacing_rate(200'000);  // 100 x 1200 B would take 4.8 s at this rate
  for (int i = 0; i < 100; ++i) pacer.enqueue(packet(1200, uint8_t(i)), PacketPriority::kVideo, kStart);
  PacerStats before = pacer.stats(kStart);
  EXPECT_EQ(before.queued_packets, 100u);
  EXPECT_EQ(before.queued_bytes, 120'000u);
  EXPECT_GT(before.effective_rate_bps, 200'000);
  EXPECT_LE(before.expected_queue_time, milliseconds(151));
  std::vector<Departure> sent = drain(pacer, kStart);
  ASSERT_EQ(sent.size(), 100u) << "the pacer never drops";
  EXPECT_LE(ms_between(kStart, sent.back().at), 150.5);
  PacerStats after = pacer.stats(sent.back().at);
  EXPECT_EQ(after.effective_rate_bps, 200'000) << "back to the pacing rate once empty";
  EXPECT_EQ(after.rate_raises, 1);
}

TEST(BwePacer, QueueDelayIsTheOldestPacketsWait) {
  Pacer pacer;
  pacer.set_pacing_rate(100'000);
  EXPECT_EQ(pacer.queue_delay(kStart), Duration::zero());
  pacer.enqueue(packet(1200, 1), PacketPriority::kVideo, kStart);
  pacer.enqueue(packet(1200, 2), PacketPriority::kVideo, kStart);
  ASSERT_TRUE(pacer.poll(kStart));
  EXPECT_EQ(pacer.queue_delay(kStart + milliseconds(30)), milliseconds(30));
}

TEST(BwePacer, NextSendTimeIsWhenTheBudgetTurnsPositive) {
  Pacer pacer = small_burst_pacer(1'000'000);  // 5 ms burst = 625 B
  pacer.enqueue(packet(1000, 1), PacketPriority::kVideo, kStart);
  pacer.enqueue(packet(1000, 2), PacketPriority::kVideo, kStart);
  ASSERT_TRUE(pacer.poll(kStart));   // budget 625 - 1000 = -375 B = 3 ms of debt
  Instant next = pacer.next_send_time();
  EXPECT_NEAR(ms_between(kStart, next), 3.0, 0.01);
  EXPECT_FALSE(pacer.poll(next - microseconds(10)));
  EXPECT_TRUE(pacer.poll(next));
}

TEST(BwePacer, AHigherPacingRateSpreadsFaster) {
  for (int64_t rate : {1'000'000, 4'000'000}) {
    Pacer pacer = small_burst_pacer(rate);  // the bucket starts full at this rate's burst
    for (int i = 0; i < 10; ++i) pacer.enqueue(packet(1250, 0), PacketPriority::kVideo, kStart);
    std::vector<Departure> sent = drain(pacer, kStart);
    ASSERT_EQ(sent.size(), 10u);
    // 12.5 kB: 100 ms at 1 Mbit/s, 25 ms at 4 Mbit/s, less the burst allowance and one packet.
    double expected = 12'500 * 8.0 / rate * 1000 - 5.0 - 1250 * 8000.0 / rate;
    EXPECT_NEAR(ms_between(kStart, sent.back().at), expected, 0.5) << rate;
  }
}

TEST(BwePacer, DropQueuedTakesOutOnlyWhatItPicksOfThatPriority) {
  Pacer pacer = small_burst_pacer(1'000'000);
  ASSERT_TRUE((pacer.enqueue(packet(600, 9), PacketPriority::kVideo, kStart), pacer.poll(kStart)));
  for (uint8_t tag : {1, 2, 1, 2}) pacer.enqueue(packet(1000, tag), PacketPriority::kVideo, kStart);
  pacer.enqueue(packet(1000, 1), PacketPriority::kRetransmission, kStart);
  pacer.enqueue(packet(100, 1), PacketPriority::kAudio, kStart);
  EXPECT_EQ(pacer.drop_queued(PacketPriority::kVideo, [](ByteView p) { return p[0] == 1; }), 2u);
  const PacerStats s = pacer.stats(kStart);
  EXPECT_EQ(s.queued_packets, 4u);
  EXPECT_EQ(s.queued_bytes, 3100u);
  EXPECT_EQ(s.dropped_packets, 2);
  std::vector<Departure> sent = drain(pacer, kStart);
  ASSERT_EQ(sent.size(), 4u);
  EXPECT_EQ(sent[0].packet.size(), 100u);  // audio first, then the retransmission
  EXPECT_EQ(sent[1].packet[0], 1);
  EXPECT_EQ(sent[2].packet[0], 2);
  EXPECT_EQ(sent[3].packet[0], 2);
  // What is left goes out at the rate: the last packet once the 2700 B sent
  // before it, less the 625 B allowance, are paid for at 1 Mbit/s.
  EXPECT_NEAR(ms_between(kStart, sent[3].at), (2700 - 625) * 8.0 / 1000, 0.05);
}

}  // namespace
}  // namespace peercall
