#include "media/codec/resolution_ladder.hpp"

#include <algorithm>
#include <array>

namespace peercall {
namespace {

constexpr std::array<double, ResolutionLadder::kSteps> kScales = {1.0, 0.75, 0.5, 0.375, 0.25};

int even(double v) { return std::max(2, static_cast<int>(v) & ~1); }

}  // namespace

double ResolutionLadder::scale_of(int step) { return kScales[std::clamp(step, 0, kSteps - 1)]; }

PictureSize ResolutionLadder::size_at(PictureSize source, int step) const {
  const double s = scale_of(step);
  PictureSize out{even(source.width * s), even(source.height * s)};
  if (out.width < config_.min_width || out.height < config_.min_height) {
    // As small as allowed in keeping the aspect, but never larger than the source.
    const double fit = std::max(double(config_.min_width) / source.width, double(config_.min_height) / source.height);
    if (fit >= 1.0) return {source.width & ~1, source.height & ~1};
    out = {even(source.width * fit + 1), even(source.height * fit + 1)};
  }
  return out;
}

double ResolutionLadder::bits_per_pixel(PictureSize size, int bitrate_bps, double fps) const {
  const double pixels_per_second = double(size.width) * size.height * std::max(fps, 1.0);
  return pixels_per_second > 0 ? bitrate_bps / pixels_per_second : 0;
}

void ResolutionLadder::enter_step(int step) {
  step_ = step;
  up_since_.reset();
  qp_sum_ = qp_count_ = 0;
}

void ResolutionLadder::on_frame_qp(int qp) {
  if (qp < 0) return;
  qp_sum_ += qp;
  ++qp_count_;
}

PictureSize ResolutionLadder::choose(PictureSize source, int bitrate_bps, double fps, Instant now) {
  auto smaller_exists = [&] {
    return step_ + 1 < kSteps && !(size_at(source, step_ + 1) == size_at(source, step_));
  };
  // Too blurred at this size, whatever the bits per pixel say: one step down.
  auto smaller_is_enough = [&] {
    const PictureSize next = size_at(source, step_ + 1);
    return next.width * next.height >= config_.qp_min_pixels;
  };
  if (qp_count_ >= config_.qp_frames && smaller_exists() && smaller_is_enough()) {
    if (double(qp_sum_) / qp_count_ >= config_.high_qp) {
      blurred_at_bps_[size_t(step_)] = bitrate_bps;
      enter_step(step_ + 1);
    } else {
      qp_sum_ = qp_count_ = 0;  // a fresh average for the next window
    }
  }
  // Down as far as needed, at once (each step is a new size: stop at the smallest).
  while (smaller_exists() && bits_per_pixel(size_at(source, step_), bitrate_bps, fps) < config_.down_bits_per_pixel)
    enter_step(step_ + 1);
  // Up one step when the larger size has been affordable for a while, and,
  // if it was too blurred before, the rate has grown well past that.
  const int blurred_at = step_ > 0 ? blurred_at_bps_[size_t(step_ - 1)] : 0;
  if (step_ > 0 && bits_per_pixel(size_at(source, step_ - 1), bitrate_bps, fps) >= config_.up_bits_per_pixel &&
      (blurred_at == 0 || bitrate_bps >= config_.retry_factor * blurred_at)) {
    if (!up_since_) up_since_ = now;
    if (now - *up_since_ >= config_.up_after) enter_step(step_ - 1);
  } else {
    up_since_.reset();
  }
  return size_at(source, step_);
}

}  // namespace peercall
