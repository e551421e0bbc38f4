#pragma once
// Which size to encode at for the bitrate congestion control allows: bitrate
// first, then resolution. Below about 0.03 bits per pixel per frame x264's
// tight VBV cannot code a keyframe or an intra-refresh sweep, and the picture
// turns into grey blocks that P-frames then copy for seconds (measured: a
// 640x480@30 stream at 250 kbit/s); a smaller picture at the same rate stays
// whole and sharp enough. The frame rate is kept: a lost frame is a freeze.
//
// Steps of the source size: 1, 3/4, 1/2, 3/8, 1/4 (never below 128x72, or the
// frame stamp and any detail go). Down at once when the current step falls
// below `down_bits_per_pixel`; up one step only when the larger step has had
// `up_bits_per_pixel` for `up_after`, so that it does not flap (every change
// costs a keyframe). Sans-I/O: the caller passes the instant.
#include <optional>

#include "core/time.hpp"
#include "media/codec/frame_fit.hpp"

namespace peercall {

struct ResolutionLadderConfig {
  double down_bits_per_pixel = 0.032;
  double up_bits_per_pixel = 0.045;
  Duration up_after = seconds(2);
  int min_width = 128;
  int min_height = 72;
};

class ResolutionLadder {
 public:
  static constexpr int kSteps = 5;

  explicit ResolutionLadder(ResolutionLadderConfig config = {}) : config_(config) {}

  // The size to encode `source` at, for `bitrate_bps` at `fps`.
  PictureSize choose(PictureSize source, int bitrate_bps, double fps, Instant now);
  // The current step (0 = the source's own size) and its scale.
  int step() const { return step_; }
  static double scale_of(int step);
  // `source` scaled by `step`, even, at least the minimum (or the source, if smaller).
  PictureSize size_at(PictureSize source, int step) const;

 private:
  double bits_per_pixel(PictureSize size, int bitrate_bps, double fps) const;

  ResolutionLadderConfig config_;
  int step_ = 0;
  std::optional<Instant> up_since_;  // when the larger step became affordable
};

}  // namespace peercall
