#include "media/sync/av_sync.hpp"

#include <algorithm>
#include <cmath>

namespace peercall {
namespace {

double ms_of(Duration d) { return double(to_micros(d)) / 1000.0; }

void smooth(std::optional<double>& average, double sample, double weight) {
  average = average ? (1.0 - weight) * *average + weight * sample : sample;
}

}  // namespace

AvSync::AvSync(AvSyncConfig config) : config_(config) {
  config_.step_ms = std::max(1, config_.step_ms);
  config_.max_extra_ms = std::max(0, config_.max_extra_ms);
  config_.video_smoothing = std::clamp(config_.video_smoothing, 0.001, 1.0);
  config_.audio_smoothing = std::clamp(config_.audio_smoothing, 0.001, 1.0);
}

void AvSync::on_video_delay(int64_t delay_us, Instant now) {
  smooth(video_ms_, double(delay_us) / 1000.0, config_.video_smoothing);
  last_video_ = now;
  if (audio_ms_ && !both_since_) both_since_ = now;
  update(now);
}

void AvSync::on_audio_delay(int64_t delay_us, Instant now, Duration buffer_delay,
                            Duration jitter_target) {
  smooth(audio_ms_, double(delay_us) / 1000.0, config_.audio_smoothing);
  last_audio_ = now;
  audio_buffer_ms_ = ms_of(buffer_delay);
  jitter_target_ms_ = ms_of(jitter_target);
  if (video_ms_ && !both_since_) both_since_ = now;
  update(now);
}

AvSyncCorrection AvSync::correction() const {
  return AvSyncCorrection{extra_video_delay(), audio_min_delay()};
}

std::optional<double> AvSync::offset_ms() const {
  if (!video_ms_ || !audio_ms_) return std::nullopt;
  return *video_ms_ + hold_ms_ - *audio_ms_;
}

void AvSync::expire(Instant now) {
  if (video_ms_ && now - last_video_ > config_.stale_after) {
    video_ms_.reset();
    both_since_.reset();
  }
  if (audio_ms_ && now - last_audio_ > config_.stale_after) {
    audio_ms_.reset();
    both_since_.reset();
  }
}

void AvSync::update(Instant now) {
  if (last_update_ && now - *last_update_ < config_.update_interval) return;
  last_update_ = now;
  expire(now);
  const std::optional<double> offset = offset_ms();
  if (!offset) {
    release();  // a stream stopped: nothing to be in sync with
    return;
  }
  if (!both_since_ || now - *both_since_ < config_.warmup) return;
  // One stream at a time: whichever is being delayed is adjusted (and so
  // released first); a new correction starts only outside the window.
  if (hold_ms_ > 0 || (audio_min_ms_ == 0 && *offset < -config_.audio_behind_max_ms))
    step_video(*offset);
  else if (audio_min_ms_ > 0 || *offset > config_.audio_ahead_max_ms)
    step_audio(*offset);
}

void AvSync::step_video(double offset) {
  const double aim = -double(config_.audio_behind_max_ms - config_.aim_inside_ms);
  if (offset < aim) {
    // The sound is too late: show the pictures later.
    const int need = int(std::ceil(aim - offset));
    hold_ms_ = std::min(config_.max_extra_ms, hold_ms_ + std::min(config_.step_ms, need));
  } else if (offset > aim + config_.hold_deadband_ms) {
    const int spare = int(std::floor(offset - aim));
    hold_ms_ = std::max(0, hold_ms_ - std::min(config_.step_ms, spare));
  }
}

void AvSync::step_audio(double offset) {
  const double aim = double(config_.audio_ahead_max_ms - config_.aim_inside_ms);
  if (offset > aim) {
    // The picture is too late: play the sound later.
    int base = audio_min_ms_;
    if (base == 0) {
      // Start from where the buffer already is: a minimum below it does nothing.
      base = int(std::lround(std::max(audio_buffer_ms_, jitter_target_ms_)));
    } else if (audio_buffer_ms_ + config_.audio_frame_ms < audio_min_ms_) {
      return;  // the buffer is still stretching towards the last step
    }
    const int need = int(std::ceil(offset - aim));
    audio_min_ms_ = std::min(config_.max_extra_ms, base + std::min(config_.step_ms, need));
  } else if (offset < aim - config_.audio_release_margin_ms) {
    const int spare = int(std::floor(aim - offset));
    audio_min_ms_ = std::max(0, audio_min_ms_ - std::min(config_.step_ms, spare));
    // Well below what the jitter asks for anyway, the minimum does nothing.
    if (audio_min_ms_ + config_.audio_frame_ms < jitter_target_ms_) audio_min_ms_ = 0;
  }
}

void AvSync::release() {
  hold_ms_ = std::max(0, hold_ms_ - config_.step_ms);
  audio_min_ms_ = std::max(0, audio_min_ms_ - config_.step_ms);
}

}  // namespace peercall
