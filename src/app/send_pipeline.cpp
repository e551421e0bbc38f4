#include "app/send_pipeline.hpp"

#include <spdlog/spdlog.h>

#include "media/codec/opus_encoder.hpp"
#include "media/codec/video_scaler.hpp"

namespace peercall {

SendPipeline::SendPipeline(std::unique_ptr<VideoSource> video, std::unique_ptr<AudioSource> audio,
                           H264EncoderConfig encoder_config, Callbacks callbacks)
    : video_(std::move(video)),
      audio_(std::move(audio)),
      encoder_config_(encoder_config),
      callbacks_(std::move(callbacks)) {}

SendPipeline::~SendPipeline() { stop(); }

Result<bool> SendPipeline::start() {
  if (video_) {
    auto encoder = H264Encoder::create(encoder_config_);
    if (!encoder) return Error{encoder.error()};
    encoder_ = std::move(*encoder);
    video_capture_thread_ = std::thread([this] { capture_video(); });
    video_encode_thread_ = std::thread([this] { encode_video(); });
  }
  if (audio_) {
    auto opus = OpusEncoder::create();
    if (!opus) return Error{opus.error()};
    audio_thread_ = std::thread([this, enc = std::move(*opus)]() mutable {
      while (!stopping_) {
        auto frame = audio_->read();
        if (!frame) {
          if (!stopping_) callbacks_.on_source_ended(audio_->error());
          return;
        }
        auto packet = enc->encode(*frame);
        if (!packet) {
          spdlog::warn("audio: {}", packet.error());
          continue;
        }
        ++audio_frames_encoded_;
        callbacks_.on_audio(std::move(*packet));
      }
    });
  }
  return true;
}

void SendPipeline::stop() {
  if (stopping_.exchange(true)) return;
  if (video_) video_->interrupt();
  if (audio_) audio_->interrupt();
  to_encoder_.close();
  for (auto* t : {&video_capture_thread_, &video_encode_thread_, &audio_thread_})
    if (t->joinable()) t->join();
}

void SendPipeline::capture_video() {
  while (!stopping_) {
    auto frame = video_->read();
    if (!frame) {
      if (!stopping_) callbacks_.on_source_ended(video_->error());
      to_encoder_.close();
      return;
    }
    ++frames_captured_;
    if (callbacks_.on_self_view) callbacks_.on_self_view(*frame);
    to_encoder_.push(std::move(*frame));
  }
}

void SendPipeline::encode_video() {
  VideoScaler scaler;
  while (auto frame = to_encoder_.pop()) {
    VideoFrame input = std::move(*frame);
    if (input.width != encoder_config_.width || input.height != encoder_config_.height)
      input = scaler.scale(input, encoder_config_.width, encoder_config_.height);
    auto encoded = encoder_->encode(input, keyframe_requested_.exchange(false));
    if (!encoded) {
      spdlog::warn("video: {}", encoded.error());
      continue;
    }
    if (!*encoded) continue;
    ++frames_encoded_;
    callbacks_.on_video(std::move(**encoded));
  }
}

SendPipelineStats SendPipeline::stats() const {
  SendPipelineStats s;
  s.frames_captured = frames_captured_;
  s.frames_encoded = frames_encoded_;
  s.frames_skipped = to_encoder_.dropped();
  s.audio_frames_encoded = audio_frames_encoded_;
  return s;
}

}  // namespace peercall
