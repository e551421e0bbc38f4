// The speaker's standing-queue trimmer, sans-I/O: a simulated ring between a
// producer and a consumer that both move 20 ms at a time, fed a sine so the
// seams can be inspected.
#include "output/sdl/queue_trimmer.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <deque>
#include <numbers>
#include <random>
#include <vector>

namespace peercall {
namespace {

constexpr size_t kPull = 960;                       // SDL's buffer: 20 ms at 48 kHz
constexpr size_t kCap = 5760;                       // the sink's 120 ms ring
constexpr double kAmplitude = 10000;

// A continuous tone, sample by sample.
struct Tone {
  double hz;
  size_t next = 0;
  int16_t operator()() {
    return int16_t(std::lround(kAmplitude * std::sin(2 * std::numbers::pi * hz * double(next++) / 48000)));
  }
  // The largest step between neighbouring samples of this tone.
  double normal_step() const { return 2 * kAmplitude * std::sin(std::numbers::pi * hz / 48000); }
};

// The ring and the trimmer as the sink uses them: pull() plays kPull samples.
struct Ring {
  QueueTrimmer trimmer;
  std::deque<int16_t> queue;
  std::vector<int16_t> played;
  uint64_t underruns = 0;

  void push(Tone& tone, size_t n) {
    for (size_t i = 0; i < n; ++i) queue.push_back(tone());
    while (queue.size() > kCap) queue.pop_front();  // the sink's drop-oldest
  }
  size_t pull() {
    const size_t queued = queue.size();
    std::vector<int16_t> out(kPull, 0);
    size_t cut = 0;
    if (const size_t budget = trimmer.plan(queued, kPull); budget > 0) {
      std::vector<int16_t> in(queue.begin(), queue.begin() + ptrdiff_t(kPull + budget));
      cut = trimmer.splice(in, out, budget);
      EXPECT_LE(cut, budget);
    } else {
      std::copy_n(queue.begin(), std::min(kPull, queued), out.begin());
    }
    if (queued < kPull) ++underruns;
    trimmer.pulled(queued, kPull, cut);
    queue.erase(queue.begin(), queue.begin() + ptrdiff_t(std::min(queued, kPull + cut)));
    played.insert(played.end(), out.begin(), out.end());
    return queue.size();
  }
};

double largest_step(const std::vector<int16_t>& samples) {
  double largest = 0;
  for (size_t i = 1; i < samples.size(); ++i)
    largest = std::max(largest, std::abs(double(samples[i]) - samples[i - 1]));
  return largest;
}

TEST(QueueTrimmer, DrainsAFullRingToTheTargetWhenBothSidesRunAtOneRate) {
  // The device stalled at start: the ring is at its 120 ms cap, and from then
  // on each 20 ms brings one frame and takes one pull, so it would stay there.
  Ring ring;
  Tone tone{440};
  ring.push(tone, kCap);
  const size_t target = ring.trimmer.target_samples();
  EXPECT_EQ(target, 480u);
  int reached = -1;
  for (int i = 0; i < 250; ++i) {  // 5 s
    const size_t left = ring.pull();
    ASSERT_GE(left, target) << "pull " << i << " went below the target";
    if (reached < 0 && left <= target + 96) reached = i;
    ring.push(tone, kPull);
  }
  // Seen within a 500 ms window, then cut at most 5 ms a pull: back within ~1 s.
  ASSERT_GE(reached, 0);
  EXPECT_LE(reached, 60);
  EXPECT_LE(ring.queue.size() - kPull, target + 96);  // and it stays there
  EXPECT_LE(ring.trimmer.standing_samples(), target + 96);
  EXPECT_EQ(ring.trimmer.trimmed_samples(), kCap - kPull - (ring.queue.size() - kPull));
  EXPECT_EQ(ring.underruns, 0u);
  // Nothing audible: the tone's steps stay close to its normal step.
  EXPECT_LE(largest_step(ring.played), 1.6 * tone.normal_step());
}

TEST(QueueTrimmer, AJitteryProducerIsNeverTrimmed) {
  // One frame of slack; the producer's 20 ms ticks come 0-18 ms late
  // (scheduling), the device pulls on time 10 ms into each tick: the ring
  // swings between empty and two frames, but has no standing excess.
  Ring ring;
  Tone tone{440};
  ring.push(tone, kPull);
  std::mt19937 random(7);
  std::uniform_int_distribution<int> late(0, 18);
  for (int tick = 0; tick < 3000; ++tick) {  // 60 s
    const int push_at = late(random), pull_at = 10;
    if (push_at <= pull_at) ring.push(tone, kPull), ring.pull();
    else ring.pull(), ring.push(tone, kPull);
  }
  EXPECT_EQ(ring.trimmer.trimmed_samples(), 0u);
  EXPECT_EQ(ring.underruns, 0u);
  EXPECT_EQ(ring.trimmer.standing_samples(), 0u);
}

TEST(QueueTrimmer, DriftIsTrimmedAsItComes) {
  // The device plays 0.1% slower than the playout clock: without trimming the
  // ring would grow ~1 ms a second up to its cap.
  Ring ring;
  Tone tone{1000};
  ring.push(tone, kPull);
  for (int i = 0; i < 6000; ++i) {  // 2 minutes
    ring.push(tone, kPull);
    if (i % 1000 != 999) ring.pull();  // one pull in a thousand missing: 0.1%
  }
  EXPECT_GT(ring.trimmer.trimmed_samples(), 0u);
  EXPECT_LE(ring.queue.size(), kPull + ring.trimmer.target_samples() + 96 + kPull);
  EXPECT_EQ(ring.underruns, 0u);
  EXPECT_LE(largest_step(ring.played), 1.6 * tone.normal_step());
}

TEST(QueueTrimmer, UnderrunsRaiseTheTarget) {
  QueueTrimmer::Config config;
  config.window_blocks = 10;  // a window: 10 blocks of 5 pulls
  QueueTrimmer trimmer(config);
  const size_t base = trimmer.target_samples();
  trimmer.pulled(400, kPull, 0);  // found 560 samples short
  EXPECT_EQ(trimmer.target_samples(), base + 560);
  for (int i = 0; i < 10; ++i) trimmer.pulled(kPull, kPull, 0);
  trimmer.pulled(0, kPull, 0);
  trimmer.pulled(0, kPull, 0);
  EXPECT_EQ(trimmer.target_samples(), base + 1920);  // capped at 40 ms
  // Each quiet second (10 blocks of 5 pulls, counted from the last underrun) gives 1 ms back.
  for (int i = 0; i < 3 * 50 + 2; ++i) trimmer.pulled(kPull, kPull, 0);
  EXPECT_EQ(trimmer.target_samples(), base + 1920 - 3 * 48);
  for (int i = 0; i < 40 * 50; ++i) trimmer.pulled(kPull, kPull, 0);
  EXPECT_EQ(trimmer.target_samples(), base);
}

// One pull cut out of a tone: `out` must join `in`'s tail without a click.
std::vector<int16_t> spliced_tone(double hz, size_t budget, size_t* cut) {
  Tone tone{hz};
  std::vector<int16_t> in(kPull + budget + kPull);
  for (auto& s : in) s = tone();
  std::vector<int16_t> out(kPull);
  *cut = QueueTrimmer().splice(std::span(in).first(kPull + budget), out, budget);
  // What the next pull plays follows on from where this one stopped.
  out.insert(out.end(), in.begin() + ptrdiff_t(kPull + *cut), in.end());
  return out;
}

TEST(QueueTrimmer, TheSeamOfACutToneHasNoClick) {
  for (const double hz : {100.0, 440.0, 1000.0, 3150.0}) {
    size_t cut = 0;
    const auto out = spliced_tone(hz, 240, &cut);
    EXPECT_GE(cut, 120u) << hz;
    EXPECT_LE(cut, 240u) << hz;
    const double normal = Tone{hz}.normal_step();
    EXPECT_LE(largest_step(out), std::max(2.0 * normal, 200.0)) << hz << " Hz, cut " << cut;
    // The level holds across the seam: no dip from phases cancelling.
    int16_t peak = 0;
    for (size_t i = 0; i < kPull; ++i) peak = std::max<int16_t>(peak, int16_t(std::abs(out[i])));
    EXPECT_GE(peak, 0.9 * kAmplitude) << hz;
  }
}

TEST(QueueTrimmer, AHardCutWouldClick) {
  // The check above can fail: the same tone cut without a crossfade at a
  // length that is not a whole period jumps by far more than its normal step.
  Tone tone{440};
  std::vector<int16_t> in(2 * kPull);
  for (auto& s : in) s = tone();
  std::vector<int16_t> hard(in.begin(), in.begin() + 300);
  hard.insert(hard.end(), in.begin() + 300 + 160, in.end());
  EXPECT_GT(largest_step(hard), 5 * tone.normal_step());
}

TEST(QueueTrimmer, NothingToCutCopies) {
  QueueTrimmer trimmer;
  EXPECT_EQ(trimmer.plan(20 * kPull, kPull), 0u);  // no window seen yet: no excess known
  std::vector<int16_t> in(kPull), out(kPull);
  for (size_t i = 0; i < kPull; ++i) in[i] = int16_t(i);
  EXPECT_EQ(trimmer.splice(in, out, 0), 0u);
  EXPECT_EQ(out, in);
}

}  // namespace
}  // namespace peercall
