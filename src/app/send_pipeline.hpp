#pragma once
// capture -> convert -> encode, off the network thread. One thread per source
// device and one for the video encoder, joined by a queue that keeps only the
// newest frames, so a slow encoder skips frames instead of adding latency.
#include <atomic>
#include <functional>
#include <memory>
#include <thread>

#include "core/bounded_queue.hpp"
#include "media/audio_source.hpp"
#include "media/codec/h264_encoder.hpp"
#include "media/video_source.hpp"

namespace peercall {

struct SendPipelineStats {
  uint64_t frames_captured = 0;
  uint64_t frames_encoded = 0;
  uint64_t frames_skipped = 0;  // dropped before the encoder: it was behind
  uint64_t audio_frames_encoded = 0;
};

class SendPipeline {
 public:
  struct Callbacks {
    std::function<void(EncodedFrame)> on_video;        // encoder thread
    std::function<void(EncodedFrame)> on_audio;        // audio thread
    std::function<void(const VideoFrame&)> on_self_view;  // capture thread
    std::function<void(std::string)> on_source_ended;  // why; empty = normal end of file
  };

  SendPipeline(std::unique_ptr<VideoSource> video, std::unique_ptr<AudioSource> audio,
               H264EncoderConfig encoder_config, Callbacks callbacks);
  ~SendPipeline();

  // Opens the encoders and starts the threads. Error: a one-line reason.
  Result<bool> start();
  void stop();
  void request_keyframe() { keyframe_requested_ = true; }
  SendPipelineStats stats() const;
  bool has_video() const { return video_ != nullptr; }
  bool has_audio() const { return audio_ != nullptr; }

 private:
  void capture_video();
  void encode_video();
  void capture_and_encode_audio();

  std::unique_ptr<VideoSource> video_;
  std::unique_ptr<AudioSource> audio_;
  H264EncoderConfig encoder_config_;
  Callbacks callbacks_;
  BoundedQueue<VideoFrame> to_encoder_{2};
  std::atomic<bool> keyframe_requested_{true};
  std::atomic<bool> stopping_{false};
  std::atomic<uint64_t> frames_captured_{0}, frames_encoded_{0}, audio_frames_encoded_{0};
  std::thread video_capture_thread_, video_encode_thread_, audio_thread_;
  std::unique_ptr<H264Encoder> encoder_;
};

}  // namespace peercall
