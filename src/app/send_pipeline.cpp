#include "app/send_pipeline.hpp"

#include <spdlog/spdlog.h>

#include "media/codec/frame_fit.hpp"
#include "media/codec/opus_encoder.hpp"
#include "media/codec/resolution_ladder.hpp"
#include "media/codec/video_scaler.hpp"

namespace peercall {

SendPipeline::SendPipeline(std::unique_ptr<VideoSource> video, std::unique_ptr<AudioSource> audio,
                           H264EncoderConfig encoder_config, Callbacks callbacks, bool fixed_fps)
    : video_(std::move(video)),
      audio_(std::move(audio)),
      encoder_config_(encoder_config),
      fixed_size_(encoder_config.width > 0 && encoder_config.height > 0),
      fixed_fps_(fixed_fps),
      callbacks_(std::move(callbacks)) {}

SendPipeline::~SendPipeline() { stop(); }

Result<bool> SendPipeline::start() {
  if (video_) {
    if (fixed_size_) {  // known now: fail before the call rather than at the first frame
      auto encoder = H264Encoder::create(encoder_config_);
      if (!encoder) return Error{encoder.error()};
      encoder_ = std::move(*encoder);
    }
    video_capture_thread_ = std::thread([this] { capture_video(); });
    video_encode_thread_ = std::thread([this] { encode_video(); });
  }
  if (audio_) {
    auto opus = OpusEncoder::create();
    if (!opus) return Error{opus.error()};
    audio_thread_ = std::thread([this, enc = std::move(*opus)]() mutable { capture_audio(std::move(enc)); });
  }
  return true;
}

void SendPipeline::capture_audio(std::unique_ptr<OpusEncoder> enc) {
  while (!stopping_) {
    if (!track_wanted(false)) {
      if (!audio_->read()) break;  // a file keeps its pace; the frame is dropped
      continue;
    }
    if (stopping_) return;
    auto frame = audio_->read();
    if (!frame) break;
    if (audio_muted_ || paused_) continue;  // muted while it was being read
    auto packet = enc->encode(*frame);
    if (!packet) {
      spdlog::warn("audio: {}", packet.error());
      continue;
    }
    ++audio_frames_encoded_;
    callbacks_.on_audio(std::move(*packet));
  }
  if (!stopping_) source_finished(audio_->error());
}

bool SendPipeline::track_wanted(bool video) {
  auto unwanted = [&] { return (video ? video_off_.load() : audio_muted_.load()) || paused_; };
  if (!unwanted()) return true;
  if (!(video ? video_->suspend() : audio_->suspend())) return false;
  std::unique_lock lock(control_mu_);
  control_cv_.wait(lock, [&] { return stopping_ || !unwanted(); });
  return true;
}

void SendPipeline::controls_changed() {
  { std::lock_guard lock(control_mu_); }
  control_cv_.notify_all();
  keyframe_requested_ = true;  // whoever sees the picture again needs one at once
}

void SendPipeline::set_audio_muted(bool muted) {
  audio_muted_ = muted;
  controls_changed();
}
void SendPipeline::set_video_off(bool off) {
  video_off_ = off;
  controls_changed();
}
void SendPipeline::set_paused(bool paused) {
  paused_ = paused;
  controls_changed();
}

void SendPipeline::pause_video_for(Duration d) {
  video_paused_until_us_ = to_micros(Clock::now() + d);
}

void SendPipeline::stop() {
  if (stopping_.exchange(true)) return;
  {
    std::lock_guard lock(end_mu_);  // wakes a source waiting out kEndGrace
  }
  end_cv_.notify_all();
  controls_changed();
  if (video_) video_->interrupt();
  if (audio_) audio_->interrupt();
  to_encoder_.close();
  for (auto* t : {&video_capture_thread_, &video_encode_thread_, &audio_thread_})
    if (t->joinable()) t->join();
}

void SendPipeline::switch_video(std::unique_ptr<VideoSource> next) {
  std::lock_guard lock(control_mu_);
  next_video_ = std::move(next);
  video_->interrupt();  // its read() returns; the capture thread swaps
  control_cv_.notify_all();
}

bool SendPipeline::take_switched_video() {
  std::unique_ptr<VideoSource> old;
  {
    std::lock_guard lock(control_mu_);
    if (!next_video_) return false;
    old = std::move(video_);
    video_ = std::move(next_video_);
  }
  old.reset();  // the device it held is released here, off the main thread
  encoder_profile_changed_ = true;
  keyframe_requested_ = true;
  spdlog::info("video: sending {}", video_->describe());
  return true;
}

void SendPipeline::capture_video() {
  while (!stopping_) {
    take_switched_video();
    const bool wanted = track_wanted(true);
    if (stopping_) break;
    auto frame = video_->read();
    if (!frame && take_switched_video()) continue;
    if (!frame) {
      // The encoder thread drains what is queued, then reports the end.
      video_end_ = video_->error();
      to_encoder_.close();
      return;
    }
    if (!wanted || video_off_ || paused_) continue;  // a file's frame while the camera is off
    ++frames_captured_;
    if (callbacks_.on_self_view) callbacks_.on_self_view(*frame);
    to_encoder_.push(std::move(*frame));
  }
}

void SendPipeline::source_finished(std::string why) {
  std::unique_lock lock(end_mu_);
  ++sources_finished_;
  end_cv_.notify_all();
  if (why.empty()) {
    const int sources = (video_ ? 1 : 0) + (audio_ ? 1 : 0);
    end_cv_.wait_for(lock, kEndGrace, [&] { return sources_finished_ >= sources || stopping_; });
  }
  if (end_reported_ || stopping_) return;
  end_reported_ = true;
  lock.unlock();
  callbacks_.on_source_ended(std::move(why));
}

Result<Done> SendPipeline::ensure_encoder(int width, int height) {
  if (encoder_profile_changed_.exchange(false)) {
    // Another source: its own rate, and text tuning for a screen.
    std::lock_guard lock(control_mu_);
    const double fps = video_->frame_rate();
    if (!fixed_fps_) encoder_config_.fps = fps >= 1 ? std::min(int(fps + 0.5), 240) : 30;
    encoder_config_.screen_content = video_->screen_content();
    encoder_config_.crf = encoder_config_.screen_content ? kScreenCrf : base_crf_;
    if (encoder_) {
      applied_bitrate_ = encoder_->bitrate();  // what congestion control chose, for the next one
      encoder_.reset();
    }
  }
  if (encoder_ && encoder_->config().width == width && encoder_->config().height == height) return Done{};
  H264EncoderConfig config = encoder_config_;
  config.width = width;
  config.height = height;
  if (applied_bitrate_ > 0) config.bitrate_bps = applied_bitrate_;  // keep what congestion control chose
  spdlog::debug("video: encoding {}x{}", width, height);
  encoder_.reset();
  auto encoder = H264Encoder::create(config);
  if (!encoder) return Error{encoder.error()};
  encoder_ = std::move(*encoder);  // its first frame is an IDR with the new SPS/PPS
  return Done{};
}

void SendPipeline::encode_video() {
  VideoScaler scaler;
  const std::optional<PictureSize> requested =
      fixed_size_ ? std::optional<PictureSize>({encoder_config_.width, encoder_config_.height}) : std::nullopt;
  ResolutionLadder ladder;  // bitrate first, then resolution (see resolution_ladder.hpp)
  while (auto frame = to_encoder_.pop()) {
    if (const int64_t until = video_paused_until_us_; until != 0) {
      if (to_micros(Clock::now()) < until) {
        ++frames_paused_;  // a raw frame: nothing downstream misses it
        continue;
      }
      video_paused_until_us_ = 0;
      keyframe_requested_ = true;  // the picture starts afresh after the pause
    }
    VideoFrame input = std::move(*frame);
    if (const int bps = target_bitrate_.exchange(0); bps > 0) applied_bitrate_ = std::min(bps, encoder_config_.bitrate_bps);
    const int bitrate = applied_bitrate_ > 0 ? applied_bitrate_.load() : encoder_config_.bitrate_bps;
    const PictureSize wanted = encode_size({input.width, input.height}, requested);
    // A screen keeps its size (text must stay legible): its rate drops instead.
    const PictureSize target = encoder_config_.screen_content
                                   ? wanted
                                   : ladder.choose(wanted, bitrate, encoder_config_.fps, Clock::now());
    if (encoder_ && !(wanted == last_wanted_))
      spdlog::info("video: the source changed size: encoding {}x{} now", target.width, target.height);
    else if (encoder_ && !(target == PictureSize{encoder_->config().width, encoder_->config().height}))
      spdlog::info("video: encoding {}x{} at {} kbit/s ({}x{} when the link carries more)", target.width,
                   target.height, bitrate / 1000, wanted.width, wanted.height);
    last_wanted_ = wanted;
    if (auto ok = ensure_encoder(target.width, target.height); !ok) {
      to_encoder_.close();
      if (!stopping_) source_finished(ok.error());
      return;
    }
    if (input.width != target.width || input.height != target.height)
      input = scaler.fit(input, target.width, target.height);
    if (bitrate != encoder_->bitrate()) encoder_->set_bitrate(bitrate);
    applied_bitrate_ = encoder_->bitrate();
    auto encoded = encoder_->encode(input, keyframe_requested_.exchange(false));
    if (!encoded) {
      spdlog::warn("video: {}", encoded.error());
      continue;
    }
    if (!*encoded) continue;
    ++frames_encoded_;
    callbacks_.on_video(std::move(**encoded));
  }
  if (!stopping_) source_finished(video_end_);  // the queue was closed by the source's end
}

SendPipelineStats SendPipeline::stats() const {
  SendPipelineStats s;
  s.frames_captured = frames_captured_;
  s.frames_encoded = frames_encoded_;
  s.frames_skipped = to_encoder_.dropped() + frames_paused_;
  s.audio_frames_encoded = audio_frames_encoded_;
  return s;
}

}  // namespace peercall
