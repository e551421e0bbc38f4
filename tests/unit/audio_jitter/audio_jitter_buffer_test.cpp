// The jitter buffer on deterministic link traces (virtual clock, dummy
// payloads): delay added, losses, concealment and their recoveries.
#include "media/audio/jitter/audio_jitter_buffer.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>

#include "link_trace.hpp"

namespace peercall::test {
namespace {

struct TraceRun {
  std::vector<Pull> pulls;
  AudioJitterStats stats;
  int packets = 0;
};

Bytes payload_for(const TracePacket& p) { return Bytes{uint8_t(p.index), uint8_t(p.index >> 8)}; }

TraceRun play(const std::vector<TracePacket>& trace, Instant first_pull, int pulls,
         AudioJitterBufferConfig config = {}, bool duplicate = false) {
  AudioJitterBuffer jb(config);
  TraceRun run;
  run.packets = int(trace.size());
  run.pulls = run_trace(
      trace, first_pull, pulls,
      [&](const TracePacket& p) {
        jb.insert(p.sequence, p.rtp_timestamp, payload_for(p), p.arrival);
        if (duplicate) jb.insert(p.sequence, p.rtp_timestamp, payload_for(p), p.arrival);
      },
      [&](Instant now) {
        const PlayoutDecision d = jb.next(now);
        const AudioJitterStats& s = jb.stats();
        return Pull{now, d.kind, s.buffer_delay_ms, s.target_delay_ms, s.buffered_ms};
      });
  run.stats = jb.stats();
  return run;
}

void print(const char* name, const TraceRun& r) {
  const AudioJitterStats& s = r.stats;
  // AJB_TRACE=1: every pull that was not plain playout, for tuning.
  if (std::getenv("AJB_TRACE")) {
    for (size_t i = 0; i < r.pulls.size(); ++i) {
      const Pull& p = r.pulls[i];
      if (p.kind != FrameKind::kNormal || i % 250 == 0)
        std::printf("  %s #%zu %s delay %d target %d buffered %d\n", name, i, to_string(p.kind),
                    p.delay_ms, p.target_ms, p.buffered_ms);
    }
  }
  std::printf(
      "[%s] packets %d inserted %llu | normal %llu fec %llu concealed %llu expanded %llu "
      "accelerated %llu silence %llu | late %llu dup %llu overflow %llu resets %llu | "
      "delay %d ms target %d ms buffered %d ms | max delay %d target %d buffered %d | "
      "concealed %.2f%%\n",
      name, r.packets, (unsigned long long)s.packets_inserted, (unsigned long long)s.normal,
      (unsigned long long)s.fec_recovered, (unsigned long long)s.concealed,
      (unsigned long long)s.expanded, (unsigned long long)s.accelerated,
      (unsigned long long)s.silence, (unsigned long long)s.late_dropped,
      (unsigned long long)s.duplicates_dropped, (unsigned long long)s.overflow_dropped,
      (unsigned long long)s.resets, s.buffer_delay_ms, s.target_delay_ms, s.buffered_ms,
      max_of(r.pulls, &Pull::delay_ms), max_of(r.pulls, &Pull::target_ms),
      max_of(r.pulls, &Pull::buffered_ms), 100.0 * s.concealed_fraction());
}

std::function<double(int, std::mt19937&)> uniform_jitter(double half_width_ms, int until = 1 << 30) {
  return [=](int k, std::mt19937& rng) {
    if (k >= until) return 0.0;
    return std::uniform_real_distribution<double>(-half_width_ms, half_width_ms)(rng);
  };
}

// The first pull, `phase_ms` after the first packet's arrival.
Instant first_pull_after(const std::vector<TracePacket>& trace, double phase_ms) {
  return trace.front().arrival +
         std::chrono::duration_cast<Duration>(std::chrono::duration<double, std::milli>(phase_ms));
}

TEST(AudioJitterBuffer, CleanLinkAddsNoDelayAtAnyPullPhase) {
  Link link;
  link.frames = 3000;  // 60 s
  const auto trace = make_trace(link);
  for (double phase : {0.0, 0.5, 7.0, 13.0, 19.9}) {
    const TraceRun r = play(trace, first_pull_after(trace, phase), link.frames);
    print("clean", r);
    EXPECT_EQ(r.stats.normal, uint64_t(link.frames)) << "phase " << phase;
    EXPECT_EQ(r.stats.concealed + r.stats.expanded + r.stats.accelerated, 0u);
    EXPECT_EQ(r.stats.late_dropped, 0u);
    EXPECT_LE(max_of(r.pulls, &Pull::delay_ms), 20) << "phase " << phase;
    EXPECT_LE(max_of(r.pulls, &Pull::target_ms), 20);
    EXPECT_LE(max_of(r.pulls, &Pull::buffered_ms), 20);
  }
}

TEST(AudioJitterBuffer, UniformJitterGrowsTheTargetToCoverItAndNoFurther) {
  Link link;
  link.frames = 3000;
  link.jitter_ms = uniform_jitter(30.0);
  const auto trace = make_trace(link);
  const TraceRun r = play(trace, first_pull_after(trace, 5.0), link.frames - 10);
  print("jitter30", r);
  EXPECT_LT(double(r.stats.late_dropped), 0.01 * r.packets);
  EXPECT_LT(r.stats.concealed_fraction(), 0.03);
  // Relative delays span 0..60 ms: the target covers them, and not much more.
  const size_t settled = 250;  // after 5 s
  int min_target = 1000;
  for (size_t i = settled; i < r.pulls.size(); ++i)
    min_target = std::min(min_target, r.pulls[i].target_ms);
  EXPECT_GE(min_target, 40);
  EXPECT_LT(max_of(r.pulls, &Pull::target_ms), 100);
  EXPECT_LT(max_of(r.pulls, &Pull::delay_ms, settled), 100);
}

TEST(AudioJitterBuffer, DelayShrinksBackWithinSecondsWhenJitterStops) {
  Link link;
  link.frames = 2000;
  link.jitter_ms = uniform_jitter(30.0, 1000);  // 20 s of jitter, then 20 s clean
  const auto trace = make_trace(link);
  const TraceRun r = play(trace, first_pull_after(trace, 5.0), link.frames - 10);
  print("jitter-then-clean", r);
  EXPECT_GE(r.pulls[990].target_ms, 40);
  // The target is back at the floor 5 s after the jitter stopped (1 s for
  // the reference window, then the histogram forgets), and the delay follows
  // within a second (an acceleration every 400 ms when nothing is quiet).
  EXPECT_LE(max_of(r.pulls, &Pull::target_ms, 1000 + 250), 10);
  EXPECT_LT(max_of(r.pulls, &Pull::delay_ms, 1000 + 300), 25);
  EXPECT_LE(max_of(r.pulls, &Pull::buffered_ms, 1000 + 300), 20);
  EXPECT_LT(double(r.stats.late_dropped), 0.01 * r.packets);
}

TEST(AudioJitterBuffer, PacketsReorderedByOneAreNotLost) {
  Link link;
  link.frames = 3000;
  // Every 10th packet arrives just after the one that followed it.
  link.jitter_ms = [](int k, std::mt19937&) { return k % 10 == 5 ? 21.0 : 0.0; };
  const auto trace = make_trace(link);
  for (double phase : {1.0, 10.0, 19.0}) {
    const TraceRun r = play(trace, first_pull_after(trace, phase), link.frames - 10);
    print("reorder", r);
    EXPECT_EQ(r.stats.late_dropped, 0u);
    EXPECT_EQ(r.stats.concealed, 0u);
    EXPECT_LE(r.stats.expanded, 3u);  // waits while the target learns, then none
    EXPECT_GE(r.stats.normal + r.stats.accelerated * 2, uint64_t(link.frames - 12));
    EXPECT_LT(max_of(r.pulls, &Pull::delay_ms), 60);
  }
}

TEST(AudioJitterBuffer, TwoSecondOutageConcealsThenResumesWithLowDelay) {
  Link link;
  link.frames = 1500;
  link.lost = [](int k, std::mt19937&) { return k >= 500 && k < 600; };
  const auto trace = make_trace(link);
  const TraceRun r = play(trace, first_pull_after(trace, 5.0), link.frames - 10);
  print("outage", r);
  // The 100 missing frames are made up (one or two as waits), no more.
  EXPECT_GE(r.stats.concealed + r.stats.expanded, 100u);
  EXPECT_LE(r.stats.concealed + r.stats.expanded, 103u);
  EXPECT_EQ(r.stats.late_dropped, 0u);
  // Audio is back within two pulls of the first packet after the outage ...
  EXPECT_EQ(count(r.pulls, FrameKind::kNormal, 603), int(r.pulls.size() - 603) -
                                                         int(r.stats.accelerated));
  // ... with no old audio piled up, and the delay is back to low.
  EXPECT_LE(max_of(r.pulls, &Pull::buffered_ms, 600), 60);
  EXPECT_LT(max_of(r.pulls, &Pull::delay_ms, 1000), 45);
}

TEST(AudioJitterBuffer, OutageReleasedAsABurstDropsTheOldAudio) {
  Link link;
  link.frames = 1500;
  // A stalled queue: frames 500..599 all arrive at once when it clears.
  link.jitter_ms = [](int k, std::mt19937&) {
    return k >= 500 && k < 600 ? (600 - k) * 20.0 + k * 0.01 : 0.0;
  };
  const auto trace = make_trace(link);
  const TraceRun r = play(trace, first_pull_after(trace, 5.0), link.frames - 10);
  print("burst", r);
  EXPECT_GE(r.stats.late_dropped, 95u);
  EXPECT_EQ(r.stats.resets, 0u);
  EXPECT_LE(max_of(r.pulls, &Pull::buffered_ms, 600), 80);
  EXPECT_LT(max_of(r.pulls, &Pull::delay_ms, 1000), 70);
}

TEST(AudioJitterBuffer, FastSenderClockIsAbsorbedByAccelerating) {
  Link link;
  link.frames = 6000;  // 2 min: 0.5% is 30 frames too many
  link.sender_drift = 0.005;
  const auto trace = make_trace(link);
  const TraceRun r = play(trace, first_pull_after(trace, 5.0), 5960);
  print("drift+0.5%", r);
  EXPECT_GE(r.stats.accelerated, 25u);
  EXPECT_LE(r.stats.accelerated, 35u);
  EXPECT_EQ(r.stats.concealed + r.stats.expanded, 0u);
  EXPECT_LE(max_of(r.pulls, &Pull::buffered_ms), 60);
  EXPECT_LE(max_of(r.pulls, &Pull::delay_ms), 45);
}

TEST(AudioJitterBuffer, SlowSenderClockIsAbsorbedByExpanding) {
  Link link;
  link.frames = 6000;
  link.sender_drift = -0.005;
  const auto trace = make_trace(link);
  const TraceRun r = play(trace, first_pull_after(trace, 5.0), 6000);
  print("drift-0.5%", r);
  EXPECT_EQ(r.stats.late_dropped, 0u);
  EXPECT_EQ(r.stats.concealed, 0u);
  EXPECT_GE(r.stats.expanded, 25u);
  EXPECT_LE(r.stats.expanded, 40u);
  EXPECT_LE(max_of(r.pulls, &Pull::delay_ms), 45);
}

TEST(AudioJitterBuffer, StalledPlayoutClockSkipsTheBacklog) {
  // The playout thread stops pulling for 3 s (the device hung) while packets
  // keep arriving; when it resumes, the old audio is skipped, not played.
  AudioJitterBuffer jb;
  int k = 0;
  auto send_until = [&](Instant t) {
    for (; kT0 + k * kFrame <= t; ++k)
      jb.insert(uint16_t(k), uint32_t(k) * 960u, Bytes{1}, kT0 + k * kFrame);
  };
  Instant now = kT0 + milliseconds(5);
  for (int n = 0; n < 100; ++n, now += kFrame) {
    send_until(now);
    jb.next(now);
  }
  now += seconds(3);
  send_until(now);
  EXPECT_LE(jb.stats().buffered_ms, 1000 + 20) << "capped at max_buffered";
  int normal = 0;
  for (int n = 0; n < 50; ++n, now += kFrame) {
    send_until(now);
    normal += jb.next(now).kind == FrameKind::kNormal;
  }
  EXPECT_EQ(normal, 50);
  EXPECT_LT(jb.stats().buffer_delay_ms, 45);
  EXPECT_LE(jb.stats().buffered_ms, 40);
  EXPECT_LE(jb.stats().accelerated, 5u);
}

TEST(AudioJitterBuffer, DuplicatesAreDroppedAndCounted) {
  Link link;
  link.frames = 500;
  link.jitter_ms = uniform_jitter(10.0);
  const auto trace = make_trace(link);
  const TraceRun r = play(trace, first_pull_after(trace, 5.0), 490, {}, /*duplicate=*/true);
  print("dup", r);
  EXPECT_GE(r.stats.packets_inserted, 490u);
  EXPECT_EQ(r.stats.duplicates_dropped, r.stats.packets_inserted);
  EXPECT_EQ(r.stats.normal, 490u);
  EXPECT_EQ(r.stats.concealed, 0u);
}

TEST(AudioJitterBuffer, LatePacketsAreDroppedAndCounted) {
  Link link;
  link.frames = 500;
  // Frame 300 arrives 300 ms late, long after its slot.
  link.jitter_ms = [](int k, std::mt19937&) { return k == 300 ? 300.0 : 0.0; };
  const auto trace = make_trace(link);
  const TraceRun r = play(trace, first_pull_after(trace, 5.0), 490);
  print("late", r);
  EXPECT_EQ(r.stats.late_dropped, 1u);
  EXPECT_EQ(r.stats.concealed + r.stats.expanded + r.stats.fec_recovered, 2u)
      << "one wait, then FEC from the next packet";
  EXPECT_EQ(r.stats.fec_recovered, 1u);
}

TEST(AudioJitterBuffer, DtxPauseIsSilenceNotLoss) {
  // A talker stops for 1 s (DTX): no packets, and the next one's timestamp
  // has jumped while its sequence number follows on.
  AudioJitterBuffer jb;
  Instant now = kT0;
  uint16_t seq = 65'530;
  uint32_t ts = 0xFFFF'0000u;
  auto send = [&](int frames) {
    for (int i = 0; i < frames; ++i) {
      jb.insert(seq++, ts, Bytes{1, 2, 3}, now);
      ts += 960;
      jb.next(now + milliseconds(3));
      now += kFrame;
    }
  };
  send(100);
  for (int i = 0; i < 50; ++i) {  // the pause
    jb.next(now + milliseconds(3));
    now += kFrame;
    ts += 960;
  }
  send(100);
  const AudioJitterStats& s = jb.stats();
  std::printf("[dtx] accelerated %llu normal %llu silence %llu concealed %llu expanded %llu late %llu\n",
              (unsigned long long)s.accelerated, (unsigned long long)s.normal,
              (unsigned long long)s.silence,
              (unsigned long long)s.concealed, (unsigned long long)s.expanded,
              (unsigned long long)s.late_dropped);
  EXPECT_GE(s.normal + 2 * s.accelerated, 199u);  // the last may still be buffered
  EXPECT_EQ(s.late_dropped, 0u);
  EXPECT_GE(s.silence, 48u);
  EXPECT_LE(s.concealed + s.expanded, 2u);
  EXPECT_LT(s.buffer_delay_ms, 45);
}

TEST(AudioJitterBuffer, BigJumpAheadRestartsPlayout) {
  AudioJitterBuffer jb;
  Instant now = kT0;
  uint16_t seq = 100;
  uint32_t ts = 5000;
  for (int i = 0; i < 100; ++i) {
    jb.insert(seq++, ts, Bytes{1}, now);
    ts += 960;
    jb.next(now + milliseconds(2));
    now += kFrame;
  }
  ts += 48'000 * 30;  // the sender's timeline jumped 30 s ahead
  seq += 5000;
  int normal_after = 0;
  for (int i = 0; i < 50; ++i) {
    jb.insert(seq++, ts, Bytes{1}, now);
    ts += 960;
    normal_after += jb.next(now + milliseconds(2)).kind == FrameKind::kNormal;
    now += kFrame;
  }
  EXPECT_EQ(jb.stats().resets, 1u);
  EXPECT_EQ(normal_after, 50);
}

TEST(AudioJitterBuffer, TimelineGoingBackwardsRestartsAfterAShortRunOfLatePackets) {
  AudioJitterBuffer jb;
  Instant now = kT0;
  uint16_t seq = 100;
  uint32_t ts = 48'000 * 100;
  for (int i = 0; i < 100; ++i) {
    jb.insert(seq++, ts, Bytes{1}, now);
    ts += 960;
    jb.next(now + milliseconds(2));
    now += kFrame;
  }
  ts -= 48'000 * 20;  // the sender restarted 20 s back
  int first_normal = -1;
  for (int i = 0; i < 100; ++i) {
    jb.insert(seq++, ts, Bytes{1}, now);
    ts += 960;
    if (jb.next(now + milliseconds(2)).kind == FrameKind::kNormal && first_normal < 0)
      first_normal = i;
    now += kFrame;
  }
  EXPECT_EQ(jb.stats().resets, 1u);
  EXPECT_GE(first_normal, 0);
  EXPECT_LE(first_normal, 30);  // within the 500 ms late-run limit (+ a frame)
}

TEST(AudioJitterBuffer, LongSilenceRestartsOnTheNextPacket) {
  AudioJitterBuffer jb;
  Instant now = kT0;
  uint16_t seq = 1;
  uint32_t ts = 1;
  for (int i = 0; i < 50; ++i) {
    jb.insert(seq++, ts, Bytes{1}, now);
    ts += 960;
    jb.next(now + milliseconds(2));
    now += kFrame;
  }
  now += seconds(10);  // nobody pulled or sent (e.g. the call was on hold)
  jb.insert(seq++, ts + 48'000 * 3, Bytes{1}, now);
  EXPECT_EQ(jb.next(now + milliseconds(2)).kind, FrameKind::kNormal);
  EXPECT_EQ(jb.stats().resets, 1u);
}

TEST(AudioJitterBuffer, SilenceBeforeTheFirstPacket) {
  AudioJitterBuffer jb;
  for (int i = 0; i < 5; ++i) EXPECT_EQ(jb.next(kT0 + i * kFrame).kind, FrameKind::kSilence);
  jb.insert(7, 960 * 7, Bytes{1}, kT0 + milliseconds(101));
  const PlayoutDecision d = jb.next(kT0 + 5 * kFrame + milliseconds(1));
  EXPECT_EQ(d.kind, FrameKind::kNormal);
  EXPECT_EQ(d.rtp_timestamp, 960u * 7);
  EXPECT_EQ(jb.stats().silence, 5u);
  EXPECT_EQ(jb.stats().concealed_fraction(), 0.0);
}

TEST(AudioJitterBuffer, EmptyPayloadIsRefused) {
  AudioJitterBuffer jb;
  EXPECT_EQ(jb.insert(1, 960, Bytes{}, kT0), InsertResult::kInvalid);
  EXPECT_EQ(jb.stats().invalid_dropped, 1u);
  EXPECT_EQ(jb.next(kT0).kind, FrameKind::kSilence);
}

}  // namespace
}  // namespace peercall::test
