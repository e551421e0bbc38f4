#include "output/sdl/queue_trimmer.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace peercall {
namespace {

// The fade-in weight of sample j of an n-sample raised-cosine crossfade,
// strictly between 0 and 1 so both ends join their neighbours smoothly.
float raised_cosine(size_t j, size_t n) {
  return float(0.5 - 0.5 * std::cos(std::numbers::pi * double(j + 1) / double(n + 1)));
}

}  // namespace

QueueTrimmer::QueueTrimmer(Config config)
    : config_(config), block_min_(std::max<size_t>(1, config.window_blocks), 0) {
  fade_in_.resize(config_.crossfade_samples);
  for (size_t j = 0; j < fade_in_.size(); ++j) fade_in_[j] = raised_cosine(j, fade_in_.size());
}

void QueueTrimmer::reset() {
  std::fill(block_min_.begin(), block_min_.end(), 0);
  next_block_ = blocks_seen_ = block_pulled_ = quiet_blocks_ = margin_ = 0;
  block_min_now_ = SIZE_MAX;
  draining_ = false;
}

size_t QueueTrimmer::standing_samples() const {
  if (blocks_seen_ < block_min_.size()) return 0;  // not a whole window yet: no excess known
  const size_t oldest = *std::min_element(block_min_.begin(), block_min_.end());
  return std::min(oldest, block_min_now_);
}

size_t QueueTrimmer::plan(size_t queued, size_t count) const {
  if (!draining_ || count < 4) return 0;
  const size_t floor = count + target_samples();
  if (queued <= floor) return 0;
  const size_t excess = standing_samples() - std::min(standing_samples(), target_samples());
  return std::min({excess, count / 4, queued - floor});
}

void QueueTrimmer::pulled(size_t queued_before, size_t count, size_t dropped) {
  if (queued_before < count) {  // ran dry: the margin was too thin for this device
    margin_ = std::min(config_.max_margin_samples, margin_ + (count - queued_before));
    quiet_blocks_ = 0;
  }
  if (dropped > 0) {  // the queue moved down: so would the fills remembered
    trimmed_ += dropped;
    for (auto& m : block_min_) m -= std::min(m, dropped);
    if (block_min_now_ != SIZE_MAX) block_min_now_ -= std::min(block_min_now_, dropped);
  }
  const size_t used = count + dropped;
  block_min_now_ = std::min(block_min_now_, queued_before > used ? queued_before - used : 0);
  block_pulled_ += count;
  if (block_pulled_ >= config_.block_samples) {
    block_min_[next_block_] = block_min_now_;
    next_block_ = (next_block_ + 1) % block_min_.size();
    blocks_seen_ = std::min(blocks_seen_ + 1, block_min_.size());
    block_pulled_ = 0;
    block_min_now_ = SIZE_MAX;
    if (++quiet_blocks_ % block_min_.size() == 0)  // a whole window without running dry
      margin_ -= std::min(margin_, config_.margin_decay_samples);
  }
  // Start cutting once the excess is worth a seam; then cut it all.
  const size_t standing = standing_samples(), target = target_samples();
  if (standing > target + config_.min_excess_samples) draining_ = true;
  if (standing <= target) draining_ = false;
}

size_t QueueTrimmer::splice(std::span<const int16_t> in, std::span<int16_t> out,
                            size_t max_drop) const {
  const size_t count = out.size();
  max_drop = std::min(max_drop, in.size() > count ? in.size() - count : 0);
  const size_t fade = std::min(config_.crossfade_samples, count / 2);
  if (max_drop == 0 || fade == 0) {
    std::copy_n(in.begin(), count, out.begin());
    return 0;
  }
  // Where to cut: a few seam positions across the pull, each with every cut
  // length in [max_drop/2, max_drop]; the best one makes the audio before
  // the cut most like the audio after it over the crossfade (a whole pitch
  // period of a tone matches exactly; a quiet stretch costs little).
  // Ties go to the longer cut, to drain faster.
  const size_t shortest = std::max<size_t>(1, max_drop / 2);
  const size_t last = count - fade;
  size_t best_seam = 0, best_cut = max_drop;
  int64_t best_cost = INT64_MAX;
  for (size_t k = 0; k < 4; ++k) {
    const size_t seam = last * k / 3;
    for (size_t cut = max_drop; cut >= shortest; --cut) {
      int64_t cost = 0;
      for (size_t j = 0; j < fade && cost < best_cost; ++j) {
        const int64_t d = int64_t(in[seam + j]) - in[seam + cut + j];
        cost += d * d;
      }
      if (cost < best_cost) best_cost = cost, best_seam = seam, best_cut = cut;
    }
  }
  std::copy_n(in.begin(), best_seam, out.begin());
  for (size_t j = 0; j < fade; ++j) {
    const float w = fade == fade_in_.size() ? fade_in_[j] : raised_cosine(j, fade);
    const float mixed = float(in[best_seam + j]) * (1.0f - w) + float(in[best_seam + best_cut + j]) * w;
    out[best_seam + j] = int16_t(std::lround(std::clamp(mixed, -32768.0f, 32767.0f)));
  }
  const size_t after = best_seam + fade;
  std::copy_n(in.begin() + after + best_cut, count - after, out.begin() + after);
  return best_cut;
}

}  // namespace peercall
