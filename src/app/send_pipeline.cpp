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
      callbacks_(std::move(callbacks)) {
  layers_[0].on = true;
}

SendPipeline::~SendPipeline() { stop(); }

Result<bool> SendPipeline::start() {
  if (video_) {
    if (fixed_size_) {  // known now: fail before the call rather than at the first frame
      auto encoder = H264Encoder::create(encoder_config_);
      if (!encoder) return Error{encoder.error()};
      layers_[0].encoder = std::move(*encoder);
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
  for (Layer& l : layers_) l.keyframe_requested = true;  // whoever sees the picture again needs one at once
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

void SendPipeline::pause_video_for(Duration d, int layer) {
  std::atomic<int64_t>& until = layers_[clamp_layer(layer)].paused_until_us;
  if (d > Duration{}) {
    until = to_micros(Clock::now() + d);
    return;
  }
  // Ends a pause sooner; one already over must not cost another keyframe.
  int64_t current = until.load();
  const int64_t now = to_micros(Clock::now());
  while (current > now && !until.compare_exchange_weak(current, now)) {
  }
}

void SendPipeline::set_video_bitrate(int bps, int layer) {
  Layer& l = layers_[clamp_layer(layer)];
  if (layer > 0) {
    if (bps <= 0) {
      l.on = false;  // the encoder thread closes it
      return;
    }
    if (!l.on.exchange(true)) l.keyframe_requested = true;
  }
  l.target_bitrate = std::max(1, bps);
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
  for (Layer& l : layers_) l.keyframe_requested = true;
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

Result<Done> SendPipeline::ensure_encoder(Layer& layer, int width, int height) {
  auto& encoder = layer.encoder;
  if (encoder && encoder->config().width == width && encoder->config().height == height) return Done{};
  H264EncoderConfig config = encoder_config_;
  config.width = width;
  config.height = height;
  if (layer.applied_bitrate > 0) config.bitrate_bps = layer.applied_bitrate;  // keep what congestion control chose
  spdlog::debug("video: encoding {}x{}", width, height);
  encoder.reset();
  auto created = H264Encoder::create(config);
  if (!created) return Error{created.error()};
  encoder = std::move(*created);  // its first frame is an IDR with the new SPS/PPS
  return Done{};
}

void SendPipeline::encode_video() {
  std::array<VideoScaler, kMaxLayers> scalers;
  const std::optional<PictureSize> requested =
      fixed_size_ ? std::optional<PictureSize>({encoder_config_.width, encoder_config_.height}) : std::nullopt;
  while (auto frame = to_encoder_.pop()) {
    if (encoder_profile_changed_.exchange(false)) {
      // Another source: its own rate, and text tuning for a screen.
      std::lock_guard lock(control_mu_);
      const double fps = video_->frame_rate();
      if (!fixed_fps_) encoder_config_.fps = fps >= 1 ? std::min(int(fps + 0.5), 240) : 30;
      encoder_config_.screen_content = video_->screen_content();
      encoder_config_.crf = encoder_config_.screen_content ? kScreenCrf : base_crf_;
      for (Layer& l : layers_)
        if (l.encoder) {
          l.applied_bitrate = l.encoder->bitrate();  // what congestion control chose, for the next one
          l.encoder.reset();
        }
    }
    const VideoFrame input = std::move(*frame);
    const PictureSize wanted = encode_size({input.width, input.height}, requested);
    if (last_wanted_.width > 0 && !(wanted == last_wanted_))
      spdlog::info("video: the source changed size: encoding it at {}x{} now", wanted.width, wanted.height);
    last_wanted_ = wanted;
    // The first encoding first: the second never delays it.
    for (int i = 0; i < kMaxLayers; ++i)
      if (!encode_layer(i, input, wanted, scalers[i])) {
        to_encoder_.close();
        return;
      }
  }
  if (!stopping_) source_finished(video_end_);  // the queue was closed by the source's end
}

bool SendPipeline::encode_layer(int i, const VideoFrame& frame, PictureSize wanted, VideoScaler& scaler) {
  Layer& l = layers_[i];
  const char* which = i == 0 ? "video" : "video, second encoding";
  if (!l.on) {
    if (l.encoder) {
      spdlog::info("{}: off (no viewer needs it)", which);
      l.encoder.reset();
      l.applied_bitrate = 0;
    }
    return true;
  }
  if (const int64_t until = l.paused_until_us; until != 0) {
    if (to_micros(Clock::now()) < until) {
      if (i == 0) ++frames_paused_;  // a raw frame: nothing downstream misses it
      return true;
    }
    l.paused_until_us = 0;
    l.keyframe_requested = true;  // the picture starts afresh after the pause
  }
  if (const int bps = l.target_bitrate.exchange(0); bps > 0) l.applied_bitrate = std::min(bps, encoder_config_.bitrate_bps);
  const int bitrate = l.applied_bitrate > 0 ? l.applied_bitrate.load() : encoder_config_.bitrate_bps;
  // A screen keeps its size (text must stay legible): its rate drops instead.
  const PictureSize target = encoder_config_.screen_content
                                 ? wanted
                                 : l.ladder.choose(wanted, bitrate, encoder_config_.fps, Clock::now());
  // Said when the size steps, and when the second encoding starts.
  const bool resized = l.encoder ? !(target == PictureSize{l.encoder->config().width, l.encoder->config().height})
                                 : i > 0;
  if (resized)
    spdlog::info("{}: encoding {}x{} at {} kbit/s ({}x{} when the link carries more)", which, target.width,
                 target.height, bitrate / 1000, wanted.width, wanted.height);
  if (auto ok = ensure_encoder(l, target.width, target.height); !ok) {
    if (!stopping_) source_finished(ok.error());
    return false;
  }
  VideoFrame scaled;
  const VideoFrame* input = &frame;
  if (frame.width != target.width || frame.height != target.height) {
    scaled = scaler.fit(frame, target.width, target.height);
    input = &scaled;
  }
  if (bitrate != l.encoder->bitrate()) l.encoder->set_bitrate(bitrate);
  l.applied_bitrate = l.encoder->bitrate();
  auto encoded = l.encoder->encode(*input, l.keyframe_requested.exchange(false));
  if (!encoded) {
    spdlog::warn("{}: {}", which, encoded.error());
    return true;
  }
  if (!*encoded) return true;
  if (i == 0) ++frames_encoded_;
  if (!(*encoded)->keyframe && !encoder_config_.screen_content) l.ladder.on_frame_qp((*encoded)->qp);
  if ((*encoded)->keyframe)
    spdlog::debug("{}: keyframe at {:.3f}, {} bytes, QP {}, {}x{} at {} kbit/s", which,
                  to_micros(Clock::now()) / 1e6, (*encoded)->data.size(), (*encoded)->qp, target.width,
                  target.height, bitrate / 1000);
  (*encoded)->layer = i;
  callbacks_.on_video(std::move(**encoded));
  return true;
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
