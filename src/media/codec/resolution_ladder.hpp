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
//
// Bits per pixel say nothing of the scene: the test pattern (scrolling fine
// texture) at 480x360 and 272 kbit/s (0.052) codes at QP 44-48, its stamp
// unreadable for seconds, where 320x240 codes it at QP 24-28. So the
// encoder's quantizer (on_frame_qp, P-frames only) decides too, as
// libwebrtc's quality scaler does: an average of `high_qp` or more over
// `qp_frames` frames at one size steps down (not below `qp_min_pixels`:
// a smaller picture loses more than a blurred one), and the larger size is
// tried again only at `retry_factor` x the bitrate it failed at.
#include <array>
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
  double high_qp = 40;
  int qp_frames = 30;
  int qp_min_pixels = 320 * 180;
  double retry_factor = 1.5;
};

class ResolutionLadder {
 public:
  static constexpr int kSteps = 5;

  explicit ResolutionLadder(ResolutionLadderConfig config = {}) : config_(config) {}

  // The size to encode `source` at, for `bitrate_bps` at `fps`.
  PictureSize choose(PictureSize source, int bitrate_bps, double fps, Instant now);
  // The quantizer of a P-frame coded at the size choose() returned last.
  void on_frame_qp(int qp);
  // The current step (0 = the source's own size) and its scale.
  int step() const { return step_; }
  static double scale_of(int step);
  // `source` scaled by `step`, even, at least the minimum (or the source, if smaller).
  PictureSize size_at(PictureSize source, int step) const;

 private:
  double bits_per_pixel(PictureSize size, int bitrate_bps, double fps) const;

  ResolutionLadderConfig config_;
  int step_ = 0;
  void enter_step(int step);

  std::optional<Instant> up_since_;  // when the larger step became affordable
  int qp_sum_ = 0, qp_count_ = 0;    // of the frames at this step
  // The bitrate a step was too blurred at (0: never), by step.
  std::array<int, kSteps> blurred_at_bps_{};
};

}  // namespace peercall
