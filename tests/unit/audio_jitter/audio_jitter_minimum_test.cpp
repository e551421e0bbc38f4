// The jitter buffer's minimum delay (lip sync): reached by stretching one
// frame at a time, never as a burst of concealment; left by accelerating;
// no effect while the jitter already asks for more.
#include <gtest/gtest.h>

#include <cstdio>
#include <functional>

#include "link_trace.hpp"
#include "media/audio/jitter/audio_jitter_buffer.hpp"

namespace peercall::test {
namespace {

struct MinimumRun {
  std::vector<Pull> pulls;
  AudioJitterStats stats;
};

// Plays the trace, setting the minimum that `minimum(pull index)` says
// before each pull.
MinimumRun play(const std::vector<TracePacket>& trace, int pulls,
                const std::function<Duration(int)>& minimum, bool quiet = false) {
  AudioJitterBuffer jb;
  MinimumRun run;
  int n = 0;
  run.pulls = run_trace(
      trace, trace.front().arrival + milliseconds(5), pulls,
      [&](const TracePacket& p) {
        jb.insert(p.sequence, p.rtp_timestamp, Bytes{uint8_t(p.index), uint8_t(p.index >> 8)},
                  p.arrival);
      },
      [&](Instant now) {
        jb.set_minimum_delay(minimum(n++));
        const PlayoutDecision d = jb.next(now, quiet);
        const AudioJitterStats& s = jb.stats();
        return Pull{now, d.kind, s.buffer_delay_ms, s.target_delay_ms, s.buffered_ms};
      });
  run.stats = jb.stats();
  return run;
}

// The longest run of made-up frames in a row, and the fewest pulls between two.
int longest_concealed_run(const std::vector<Pull>& pulls) {
  int run = 0, longest = 0;
  for (const Pull& p : pulls) {
    const bool made_up = p.kind == FrameKind::kExpanded || p.kind == FrameKind::kConcealed;
    run = made_up ? run + 1 : 0;
    longest = std::max(longest, run);
  }
  return longest;
}

int closest_stretches(const std::vector<Pull>& pulls) {
  int closest = 1 << 30, last = -1;
  for (int i = 0; i < int(pulls.size()); ++i) {
    if (pulls[i].kind != FrameKind::kExpanded) continue;
    if (last >= 0) closest = std::min(closest, i - last);
    last = i;
  }
  return closest;
}

TEST(AudioJitterMinimum, RaisingTheMinimumStretchesOneFrameAtATime) {
  Link link;
  link.frames = 1500;  // 30 s
  const auto trace = make_trace(link);
  // 2 s clean, then a 200 ms minimum at once (the worst case; lip sync moves it in steps).
  const MinimumRun r = play(trace, link.frames - 10,
                            [](int n) { return n < 100 ? Duration{} : milliseconds(200); });
  std::printf("stretched %llu expanded %llu concealed %llu accelerated %llu, delay %d ms\n",
              (unsigned long long)r.stats.stretched, (unsigned long long)r.stats.expanded,
              (unsigned long long)r.stats.concealed, (unsigned long long)r.stats.accelerated,
              r.stats.buffer_delay_ms);
  EXPECT_LE(max_of(r.pulls, &Pull::delay_ms, 0, 100), 20);
  // About ten 20 ms waits, each alone, at most one per 400 ms.
  EXPECT_GE(r.stats.stretched, 9u);
  EXPECT_LE(r.stats.stretched, 11u);
  EXPECT_EQ(r.stats.expanded, r.stats.stretched);
  EXPECT_EQ(r.stats.concealed, 0u);
  EXPECT_EQ(r.stats.late_dropped, 0u);
  EXPECT_EQ(longest_concealed_run(r.pulls), 1);
  EXPECT_GE(closest_stretches(r.pulls), 20);
  // There within 5 s, and held there, not beyond.
  const size_t there = 100 + 250;
  for (size_t i = there; i < r.pulls.size(); ++i) {
    ASSERT_GE(r.pulls[i].delay_ms, 190) << i;
    ASSERT_LE(r.pulls[i].delay_ms, 212) << i;
    ASSERT_EQ(r.pulls[i].target_ms, 200) << i;
  }
  EXPECT_EQ(r.stats.minimum_delay_ms, 200);
  EXPECT_LE(r.stats.jitter_target_ms, 20);
}

TEST(AudioJitterMinimum, QuietAudioStretchesSooner) {
  Link link;
  link.frames = 500;
  const auto trace = make_trace(link);
  const MinimumRun r = play(trace, link.frames - 10, [](int) { return milliseconds(100); }, true);
  EXPECT_GE(closest_stretches(r.pulls), 5);
  EXPECT_EQ(longest_concealed_run(r.pulls), 1);
  EXPECT_GE(r.pulls[100].delay_ms, 90);  // five 20 ms waits within 2 s
}

TEST(AudioJitterMinimum, LoweringTheMinimumAcceleratesBack) {
  Link link;
  link.frames = 1500;
  const auto trace = make_trace(link);
  const MinimumRun r = play(trace, link.frames - 10,
                            [](int n) { return n < 500 ? milliseconds(200) : Duration{}; });
  EXPECT_GE(r.pulls[499].delay_ms, 190);
  const uint64_t stretched = r.stats.stretched;
  EXPECT_LE(stretched, 11u);  // none after the minimum went
  EXPECT_GE(r.stats.accelerated, 9u);
  EXPECT_EQ(r.stats.concealed, 0u);
  EXPECT_EQ(r.stats.late_dropped, 0u);
  // Back to no added delay within 6 s (an acceleration each 400 ms of speech).
  EXPECT_LE(max_of(r.pulls, &Pull::delay_ms, 500 + 300), 20);
}

TEST(AudioJitterMinimum, BelowTheJitterTargetTheMinimumChangesNothing) {
  Link link;
  link.frames = 1500;
  link.jitter_ms = [](int, std::mt19937& rng) {
    return std::uniform_real_distribution<double>(-30.0, 30.0)(rng);
  };
  const auto trace = make_trace(link);
  const MinimumRun none = play(trace, link.frames - 10, [](int) { return Duration{}; });
  const MinimumRun low = play(trace, link.frames - 10, [](int) { return milliseconds(20); });
  ASSERT_GE(none.pulls[1000].target_ms, 40);
  ASSERT_EQ(none.pulls.size(), low.pulls.size());
  for (size_t i = 250; i < none.pulls.size(); ++i) {  // once the jitter target is above 20
    ASSERT_EQ(none.pulls[i].kind, low.pulls[i].kind) << i;
    ASSERT_EQ(none.pulls[i].delay_ms, low.pulls[i].delay_ms) << i;
  }
}

}  // namespace
}  // namespace peercall::test
