#pragma once
// capture -> convert -> encode, off the network thread. One thread per source
// device and one for the video encoder, joined by a queue that keeps only the
// newest frames, so a slow encoder skips frames instead of adding latency.
//
// Sizes: with encoder_config width/height 0 the picture is encoded at the
// source's own size, and when that changes mid-stream (concatenated clips, a
// camera switch) the encoder is reopened at the new size: its first frame is
// an IDR with the new SPS, which decoders follow. With a size given, every
// picture is fitted into it keeping its aspect (black borders).
//
// Simulcast (a stream with a viewer on a much slower link, fanout/layer_plan):
// a second encoding of the same pictures, at its own rate and the size its
// own resolution ladder picks, encoded after the first so it never delays it;
// on only while a viewer is on it. Every frame says its layer.
#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "core/bounded_queue.hpp"
#include "media/audio_source.hpp"
#include "media/codec/frame_fit.hpp"
#include "media/codec/h264_encoder.hpp"
#include "media/codec/resolution_ladder.hpp"
#include "media/video_source.hpp"

namespace peercall {

class OpusEncoder;
class VideoScaler;

struct SendPipelineStats {
  uint64_t frames_captured = 0;
  uint64_t frames_encoded = 0;
  uint64_t frames_skipped = 0;  // dropped before the encoder: it was behind
  uint64_t audio_frames_encoded = 0;
};

class SendPipeline {
 public:
  // A file's tracks rarely end on the same frame; an endless one (the test
  // tone beside a file's video) must not hold the call open.
  static constexpr std::chrono::milliseconds kEndGrace{500};
  // A screen's text must stay readable: the bits its lower rate saves go to quality.
  static constexpr double kScreenCrf = 16;

  struct Callbacks {
    std::function<void(EncodedFrame)> on_video;        // encoder thread
    std::function<void(EncodedFrame)> on_audio;        // audio thread
    std::function<void(const VideoFrame&)> on_self_view;  // capture thread
    // Why the sources ended; empty = normal end of input. Called once, after
    // the last frame of every source went to on_video / on_audio (a source
    // that ends first waits up to kEndGrace for the other one).
    std::function<void(std::string)> on_source_ended;
  };

  SendPipeline(std::unique_ptr<VideoSource> video, std::unique_ptr<AudioSource> audio,
               H264EncoderConfig encoder_config, Callbacks callbacks, bool fixed_fps = false);
  // (encoder_config.width/height 0 = the source's own size, see above.)
  ~SendPipeline();

  // Opens the encoders and starts the threads. Error: a one-line reason.
  Result<bool> start();
  void stop();
  static constexpr int kMaxLayers = 2;

  void request_keyframe(int layer = 0) { layers_[clamp_layer(layer)].keyframe_requested = true; }
  // Any thread: encode nothing on that layer for this long (raw frames are
  // dropped before the encoder), then a keyframe. A link whose queue must
  // drain first. Duration{} ends a pause under way now (the queue drained).
  void pause_video_for(Duration d, int layer = 0);
  // Any thread. A muted microphone or a camera switched off sends nothing, and
  // a device (not a file or test source) is released meanwhile, so its light
  // goes off; `paused` (nobody to send to) does both. A file keeps its pace
  // and its frames are dropped. The first picture after is a keyframe.
  void set_audio_muted(bool muted);
  void set_video_off(bool off);
  void set_paused(bool paused);
  // Any thread: from the next frame on, send this source instead (camera <->
  // screen); the old one is closed on the capture thread. The encoder is
  // reopened for the new source's rate and content (a screen: sharp, 15 fps).
  void switch_video(std::unique_ptr<VideoSource> next);
  // Any thread: congestion control's rate for the video, from the next frame
  // on; never above the configured --bitrate, which stays the cap. Layer 1:
  // 0 turns the second encoding off, a rate turns it on.
  void set_video_bitrate(int bps, int layer = 0);
  int video_bitrate(int layer = 0) const { return layers_[clamp_layer(layer)].applied_bitrate; }
  int active_layers() const { return layers_[1].on ? 2 : 1; }
  bool audio_muted() const { return audio_muted_; }
  bool video_off() const { return video_off_; }
  SendPipelineStats stats() const;
  bool has_video() const { return video_ != nullptr; }
  bool has_audio() const { return audio_ != nullptr; }

 private:
  void capture_video();
  void capture_audio(std::unique_ptr<OpusEncoder> encoder);
  // Capture threads: while their track is not wanted, waits (a released
  // device) or returns false (the frame read is to be dropped).
  bool track_wanted(bool video);
  bool take_switched_video();  // capture thread: true if a new source took over
  void controls_changed();
  // One encoding of the pictures; its atomics are set from any thread.
  struct Layer {
    std::unique_ptr<H264Encoder> encoder;
    ResolutionLadder ladder;  // bitrate first, then resolution (encoder thread)
    std::atomic<bool> on{false};  // layer 0: always
    std::atomic<bool> keyframe_requested{true};
    std::atomic<int64_t> paused_until_us{0};  // pause_video_for: Clock micros, 0 = none
    std::atomic<int> target_bitrate{0}, applied_bitrate{0};
  };
  static int clamp_layer(int layer) { return std::clamp(layer, 0, kMaxLayers - 1); }
  void encode_video();
  // Encoder thread: `input` at `wanted` (before the ladder) on layer i; false = fatal.
  bool encode_layer(int i, const VideoFrame& input, PictureSize wanted, VideoScaler& scaler);
  Result<Done> ensure_encoder(Layer& layer, int width, int height);  // encoder thread
  void source_finished(std::string why);               // any source thread

  std::unique_ptr<VideoSource> video_;
  std::unique_ptr<AudioSource> audio_;
  H264EncoderConfig encoder_config_;
  const bool fixed_size_;  // --size given: fit into it; else follow the source
  PictureSize last_wanted_{};  // encode thread: the size asked for before the ladder
  const bool fixed_fps_;   // --fps given: keep it across source switches
  const double base_crf_ = H264EncoderConfig{}.crf;
  Callbacks callbacks_;
  BoundedQueue<VideoFrame> to_encoder_{2};
  std::array<Layer, kMaxLayers> layers_;
  std::atomic<uint64_t> frames_paused_{0};
  std::atomic<bool> stopping_{false};
  std::atomic<bool> audio_muted_{false}, video_off_{false}, paused_{false};
  std::mutex control_mu_;  // also guards video_ while a switch is pending
  std::unique_ptr<VideoSource> next_video_;
  std::atomic<bool> encoder_profile_changed_{false};
  std::condition_variable control_cv_;
  std::atomic<uint64_t> frames_captured_{0}, frames_encoded_{0}, audio_frames_encoded_{0};
  std::string video_end_;  // capture thread, read by the encoder thread after the queue closed
  std::mutex end_mu_;
  std::condition_variable end_cv_;
  int sources_finished_ = 0;
  bool end_reported_ = false;
  std::thread video_capture_thread_, video_encode_thread_, audio_thread_;
};

}  // namespace peercall
