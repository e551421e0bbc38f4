#pragma once
// Keeps the speaker's ring from holding a standing delay. The ring between
// the 20 ms playout clock and the device's callback is meant to absorb
// scheduling jitter and a small clock difference; but once it has filled
// (the device stalled at start, or it plays a little slower than the playout
// clock), producer and consumer run at the same rate and it stays full for
// the whole call: that much latency, for nothing.
//
// So, in the spirit of NetEq's accelerate: the ring's fill left after each
// pull is watched over a sliding window (the minima of its 100 ms blocks);
// the window's minimum is what never got used, the standing queue. If even
// that stays above the target, the excess is cut out of the next pulls, at
// most a quarter of each pull, at the seam where the audio before and after
// the cut match best (a pitch period of a tone, a quiet stretch), with a
// short raised-cosine crossfade over it: no click, no resampling. The cut
// samples are never played. A cut lowers the remembered minima by as much
// (the whole queue moved down), so the window goes on counting right, and a
// device that plays a little slow (clock drift) is trimmed as it goes.
//
// The target adapts: an underrun (the ring ran dry) shows the margin was too
// thin, so it grows by what was missing (up to kMaxMarginSamples) and shrinks
// again slowly while none comes.
//
// Sans-I/O: fed fills and sample counts, no clock, no lock (the sink calls it
// under its own mutex).
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace peercall {

class QueueTrimmer {
 public:
  struct Config {
    // 10 ms at 48 kHz left after the lowest pull of a window: the minimum
    // already includes the jitter the window saw, this is for what it did not.
    size_t target_samples = 480;
    // 500 ms of pulls, in 5 blocks: long enough to see the playout thread's
    // and the device's jitter (an underrun raises the target, see above),
    // short enough to drain a standing queue within ~1 s. A device slower
    // than the playout clock by r keeps about r x 500 ms more than the target
    // (the window must see growth before it counts as standing): nothing at a
    // real device's 0.01%, ~25 ms at SDL's dummy driver's 5%.
    size_t block_samples = 4800;
    size_t window_blocks = 5;
    // Less excess than 2 ms is not worth a seam (clock drift adds ~5 samples/s).
    size_t min_excess_samples = 96;
    // 2 ms crossfade: a 440 Hz tone cut anywhere steps at most ~1.6x its normal step.
    size_t crossfade_samples = 96;
    // What underruns may add to the target, and how much of it goes per quiet window.
    size_t max_margin_samples = 1920;  // 40 ms
    size_t margin_decay_samples = 48;  // 1 ms per window without one
  };

  explicit QueueTrimmer(Config config);
  QueueTrimmer() : QueueTrimmer(Config{}) {}

  // A pull of `count` samples finds `queued` in the ring: how many extra
  // samples it may consume and drop (0 mostly). Never more than a quarter of
  // the pull, never below the target: queued >= count + result + target.
  size_t plan(size_t queued, size_t count) const;
  // After every pull: it wanted `count`, found `queued_before`, and dropped
  // `dropped` of them (what splice() returned, 0 if none).
  void pulled(size_t queued_before, size_t count, size_t dropped);
  // `in` is out.size() + max_drop samples from the ring's head; writes
  // out.size() samples into `out`, cutting out between max_drop/2 and
  // max_drop of them at the best seam. Returns how many were cut (the pull
  // consumes out.size() + that).
  size_t splice(std::span<const int16_t> in, std::span<int16_t> out, size_t max_drop) const;

  // Forget everything (the device went away, the ring was emptied).
  void reset();

  // The window's least fill after a pull: the standing queue (0 until a
  // whole window has been seen).
  size_t standing_samples() const;
  // Where the standing queue is brought: the target plus the underrun margin.
  size_t target_samples() const { return config_.target_samples + margin_; }
  uint64_t trimmed_samples() const { return trimmed_; }

 private:
  Config config_;
  std::vector<float> fade_in_;  // raised cosine, 0 -> 1, crossfade_samples long
  std::vector<size_t> block_min_;  // the last window_blocks blocks' least fill, a ring
  size_t next_block_ = 0;          // the oldest, overwritten next
  size_t blocks_seen_ = 0;         // up to window_blocks: the window is whole
  size_t block_pulled_ = 0;
  size_t block_min_now_ = SIZE_MAX;  // the block being filled
  size_t quiet_blocks_ = 0;          // since the last underrun
  bool draining_ = false;            // cutting until the excess is gone
  size_t margin_ = 0;
  uint64_t trimmed_ = 0;
};

}  // namespace peercall
