#include "rtp/receive_statistics.hpp"

#include <gtest/gtest.h>

#include "media/frames.hpp"
#include "rtp/ntp_time.hpp"

using namespace peercall;

namespace {

constexpr uint32_t kSsrc = 0xabcdef01;
const Instant kStart = Instant(seconds(1000));

// An audio stream: packet n carries timestamp n*960 and is sent at n*20 ms.
struct AudioStream {
  ReceiveStatistics stats{kAudioSampleRate};
  uint16_t first_seq = 0;

  // Delivers packet n (counted from first_seq) with an extra one-way delay.
  bool deliver(int64_t n, Duration extra_delay = Duration::zero(), size_t bytes = 100) {
    return stats.on_packet(uint16_t(first_seq + n), uint32_t(n * kAudioFrameSamples),
                           kStart + milliseconds(20 * n) + extra_delay, bytes);
  }
  ReportBlock report() { return stats.make_report_block(kSsrc, 0, Instant{}, kStart); }
};

}  // namespace

TEST(ReceiveStatistics, CleanStreamAcrossSequenceWrap) {
  AudioStream s;
  s.first_seq = 65500;
  for (int n = 0; n < 100; ++n) EXPECT_TRUE(s.deliver(n));
  EXPECT_EQ(s.stats.packets_received(), 100u);
  EXPECT_EQ(s.stats.packets_lost(), 0);
  EXPECT_EQ(s.stats.bytes_received(), 10'000u);
  EXPECT_EQ(s.stats.highest_sequence(), 65599);
  EXPECT_NEAR(s.stats.jitter_seconds(), 0.0, 1e-9);  // constant transit
  const ReportBlock b = s.report();
  EXPECT_EQ(b.ssrc, kSsrc);
  EXPECT_EQ(b.fraction_lost, 0);
  EXPECT_EQ(b.cumulative_lost, 0);
  EXPECT_EQ(b.extended_highest_seq, 0x0001003fu);  // one cycle + 63
  EXPECT_EQ(b.jitter, 0u);
  EXPECT_EQ(b.last_sr, 0u);
  EXPECT_EQ(b.delay_since_last_sr, 0u);
}

TEST(ReceiveStatistics, NothingReceivedYet) {
  ReceiveStatistics stats(kAudioSampleRate);
  EXPECT_EQ(stats.highest_sequence(), -1);
  EXPECT_EQ(stats.packets_lost(), 0);
  const ReportBlock b = stats.make_report_block(kSsrc, 0, Instant{}, kStart);
  EXPECT_EQ(b.fraction_lost, 0);
  EXPECT_EQ(b.cumulative_lost, 0);
  EXPECT_EQ(b.extended_highest_seq, 0u);
}

TEST(ReceiveStatistics, FractionLostPerIntervalAndCumulative) {
  AudioStream s;
  s.first_seq = 1000;
  // Interval 1: 100 expected, every 10th (n % 10 == 5) lost.
  for (int n = 0; n < 100; ++n) {
    if (n % 10 != 5) s.deliver(n);
  }
  EXPECT_EQ(s.stats.packets_lost(), 10);
  ReportBlock b = s.report();
  EXPECT_EQ(b.fraction_lost, 256 * 10 / 100);
  EXPECT_EQ(b.cumulative_lost, 10);
  EXPECT_EQ(b.extended_highest_seq, 1099u);

  // Interval 2: clean.
  for (int n = 100; n < 200; ++n) s.deliver(n);
  b = s.report();
  EXPECT_EQ(b.fraction_lost, 0);
  EXPECT_EQ(b.cumulative_lost, 10);

  // Interval 3: 50 expected, every other lost.
  for (int n = 200; n < 250; ++n) {
    if (n % 2 == 1) s.deliver(n);
  }
  b = s.report();
  EXPECT_EQ(b.fraction_lost, 256 * 25 / 50);
  EXPECT_EQ(b.cumulative_lost, 35);

  // Interval 4: a lost packet of interval 3 arrives late; more arrived than
  // expected in this interval, so the fraction is 0 and the total shrinks.
  s.deliver(248);
  EXPECT_EQ(s.stats.reordered(), 1u);
  b = s.report();
  EXPECT_EQ(b.fraction_lost, 0);
  EXPECT_EQ(b.cumulative_lost, 34);
}

TEST(ReceiveStatistics, DuplicatesAreDetectedAndNotCounted) {
  AudioStream s;
  for (int n = 0; n < 10; ++n) EXPECT_TRUE(s.deliver(n));
  EXPECT_FALSE(s.deliver(9));  // the highest
  EXPECT_FALSE(s.deliver(5));  // an older one
  EXPECT_FALSE(s.deliver(0));  // the very first
  EXPECT_EQ(s.stats.duplicates(), 3u);
  EXPECT_EQ(s.stats.packets_received(), 10u);
  EXPECT_EQ(s.stats.bytes_received(), 1000u);
  EXPECT_EQ(s.stats.packets_lost(), 0);
  EXPECT_EQ(s.stats.reordered(), 0u);
}

TEST(ReceiveStatistics, ReorderingIsCountedOnceAndDuplicateOfLatePacketDetected) {
  AudioStream s;
  for (int n : {0, 1, 3, 2, 4}) EXPECT_TRUE(s.deliver(n));
  EXPECT_FALSE(s.deliver(2));
  EXPECT_EQ(s.stats.reordered(), 1u);
  EXPECT_EQ(s.stats.duplicates(), 1u);
  EXPECT_EQ(s.stats.packets_lost(), 0);
  EXPECT_EQ(s.stats.highest_sequence(), 4);
}

TEST(ReceiveStatistics, ReorderedAcrossWrap) {
  AudioStream s;
  s.first_seq = 65534;
  for (int n : {0, 2, 1, 3}) EXPECT_TRUE(s.deliver(n));  // seqs 65534, 0, 65535, 1
  EXPECT_EQ(s.stats.reordered(), 1u);
  EXPECT_EQ(s.stats.packets_lost(), 0);
  EXPECT_EQ(s.stats.highest_sequence(), 65537);
  EXPECT_FALSE(s.deliver(1));  // 65535 again
}

TEST(ReceiveStatistics, LatePacketFromBeforeTheFirstIsNotNegativeLoss) {
  AudioStream s;
  s.first_seq = 10;
  s.deliver(0);
  s.deliver(-1);  // seq 9
  s.deliver(1);
  EXPECT_EQ(s.stats.packets_lost(), 0);
  EXPECT_EQ(s.stats.reordered(), 1u);
  EXPECT_EQ(s.report().cumulative_lost, 0);
}

TEST(ReceiveStatistics, HistoryWindowSlotsAreReusedCleanly) {
  AudioStream s;
  // Seq 1024 shares a history slot with seq 0; it is lost, then arrives late.
  for (int n = 0; n <= 1100; ++n) {
    if (n != 1024) s.deliver(n);
  }
  EXPECT_EQ(s.stats.packets_lost(), 1);
  EXPECT_TRUE(s.deliver(1024));
  EXPECT_EQ(s.stats.packets_lost(), 0);
  EXPECT_FALSE(s.deliver(1024));
}

TEST(ReceiveStatistics, JitterZeroForConstantTransitPositiveForAlternating) {
  AudioStream steady;
  for (int n = 0; n < 200; ++n) steady.deliver(n, milliseconds(35));
  EXPECT_NEAR(steady.stats.jitter_seconds(), 0.0, 1e-9);

  AudioStream bumpy;
  for (int n = 0; n < 200; ++n) bumpy.deliver(n, milliseconds(n % 2 ? 10 : 0));
  // Every |D| is 10 ms, so J converges to 10 ms (480 units at 48 kHz).
  EXPECT_GT(bumpy.stats.jitter_seconds(), 0.0);
  EXPECT_NEAR(bumpy.stats.jitter_seconds(), 0.010, 0.0005);
  EXPECT_NEAR(double(bumpy.report().jitter), 480.0, 25.0);
}

TEST(ReceiveStatistics, PacedPacketsOfOneVideoFrameAddNoJitter) {
  ReceiveStatistics stats(kVideoClockRate);
  uint16_t seq = 0;
  for (int frame = 0; frame < 50; ++frame) {
    const Instant frame_arrival = kStart + milliseconds(40 * frame);
    for (int i = 0; i < 5; ++i) {  // five packets paced 2 ms apart
      stats.on_packet(seq++, uint32_t(frame * 3600), frame_arrival + milliseconds(2 * i), 1000);
    }
  }
  EXPECT_EQ(stats.packets_received(), 250u);
  EXPECT_NEAR(stats.jitter_seconds(), 0.0, 1e-9);
}

TEST(ReceiveStatistics, SenderRestartResynchronises) {
  AudioStream s;
  for (int n = 0; n < 50; ++n) s.deliver(n);
  // The sender restarts its numbering far away: the first packet of the jump is
  // held in doubt, the second confirms it.
  EXPECT_TRUE(s.stats.on_packet(30000, 0, kStart + seconds(5), 100));
  EXPECT_EQ(s.stats.highest_sequence(), 49);
  EXPECT_TRUE(s.stats.on_packet(30001, 960, kStart + seconds(5) + milliseconds(20), 100));
  EXPECT_TRUE(s.stats.on_packet(30002, 1920, kStart + seconds(5) + milliseconds(40), 100));
  EXPECT_EQ(s.stats.highest_sequence(), 30002);
  EXPECT_EQ(s.stats.packets_lost(), 0);
  EXPECT_EQ(s.stats.packets_received(), 53u);
  const ReportBlock b = s.report();
  EXPECT_EQ(b.cumulative_lost, 0);
  EXPECT_EQ(b.fraction_lost, 0);
  EXPECT_EQ(b.extended_highest_seq, 30002u);
  EXPECT_FALSE(s.stats.on_packet(30000, 0, kStart + seconds(6), 100));  // part of the new epoch
}

TEST(ReceiveStatistics, SingleStrayPacketDoesNotDisturbTheStream) {
  AudioStream s;
  for (int n = 0; n < 50; ++n) s.deliver(n);
  EXPECT_TRUE(s.stats.on_packet(40000, 0, kStart + seconds(1), 100));
  for (int n = 50; n < 60; ++n) s.deliver(n);
  EXPECT_EQ(s.stats.highest_sequence(), 59);
  EXPECT_EQ(s.stats.packets_lost(), 0);
  EXPECT_EQ(s.report().fraction_lost, 0);
}

TEST(ReceiveStatistics, LsrAndDlsrFromTheLastSenderReport) {
  AudioStream s;
  s.deliver(0);
  const Instant sr_arrival = kStart + seconds(3);
  const uint32_t lsr = compact_ntp(0x0000123456789abcull);
  const ReportBlock b = s.stats.make_report_block(kSsrc, lsr, sr_arrival, sr_arrival + milliseconds(1500));
  EXPECT_EQ(b.last_sr, 0x12345678u);
  EXPECT_EQ(b.delay_since_last_sr, 65536u * 3 / 2);
}

TEST(ReceiveStatistics, RttLoopWithReportBlock) {
  // Our SR leaves at t0; the peer's stats produce the block 250 ms after the SR
  // arrived; with 30 ms each way the RTT must come out as 60 ms.
  const Instant t0 = kStart + seconds(7);
  const uint32_t lsr = compact_ntp(instant_to_ntp(t0));
  AudioStream peer;
  peer.deliver(0);
  const Instant sr_arrival = t0 + milliseconds(30);
  const ReportBlock b =
      peer.stats.make_report_block(kSsrc, lsr, sr_arrival, sr_arrival + milliseconds(250));
  const auto rtt = round_trip_time(b, sr_arrival + milliseconds(250) + milliseconds(30));
  ASSERT_TRUE(rtt.has_value());
  EXPECT_NEAR(to_micros(*rtt), 60'000, 50);
}
