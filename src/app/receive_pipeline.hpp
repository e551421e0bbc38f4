#pragma once
// decode -> render / playout / record, off the network thread: one thread per
// decoder and one for the recorder. Queues drop the oldest; a dropped video
// frame breaks the reference chain, so the decoder then waits for a keyframe
// and asks for one.
// Lip sync (AvSync) delays whichever stream is ahead, only as far as needed:
// a picture is held in a small render stage (its own thread) when the sound
// is late; the audio jitter buffer gets a minimum delay when the pictures
// are. With no hold, pictures go from the decoder straight to the sinks.
#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "app/latency_tracker.hpp"
#include "core/bounded_queue.hpp"
#include "media/sync/av_sync.hpp"
#include "output/audio_sink.hpp"
#include "output/file/mkv_recorder.hpp"
#include "output/video_sink.hpp"

namespace peercall {

class H264Decoder;
class AudioPlayout;

struct ReceivePipelineStats {
  uint64_t frames_decoded = 0;
  uint64_t decode_errors = 0;
  uint64_t frames_skipped = 0;  // dropped before decoding: it was behind
  uint64_t audio_frames_decoded = 0;
  uint64_t audio_frames_concealed = 0;
  // The audio jitter buffer: Opus in-band FEC repairs, packets too late to
  // play, its delay now and its target (ms).
  uint64_t audio_fec_recovered = 0, audio_late = 0;
  int audio_buffer_ms = 0, audio_target_ms = 0;
  double audio_concealed_fraction = 0;
  Instant first_frame_at{};
  uint64_t freezes = 0;  // pictures held over 200 ms
  // Video shown later than its sound by this much (ms; + = sound ahead),
  // from the sender reports; nullopt until both streams are mapped.
  std::optional<double> av_offset_ms;  // as shown, after the correction below
  // The lip-sync correction now (ms; at most one is non-zero): how long each
  // picture is held before it is shown, and the audio jitter buffer's minimum delay.
  int av_sync_video_hold_ms = 0;
  int av_sync_audio_min_ms = 0;
  int64_t longest_freeze_ms = 0;  // when the first picture was decoded (epoch: none yet)
};

class ReceivePipeline {
 public:
  struct Outputs {
    std::vector<VideoSink*> video;  // window, y4m writer (not owned)
    std::vector<AudioSink*> audio;  // speakers, wav writer (not owned)
    MkvRecorder* recorder = nullptr;
    std::function<void()> on_keyframe_needed;  // decoder thread
  };

  explicit ReceivePipeline(Outputs outputs);
  ~ReceivePipeline();

  Result<bool> start();
  void stop();

  // Network thread.
  void on_video(EncodedFrame frame);
  // Any order: the jitter buffer sorts by sequence number.
  void on_audio(EncodedFrame frame, uint16_t sequence);

  ReceivePipelineStats stats() const;
  LatencyTracker& latency() { return latency_; }

 private:
  struct RecordItem {
    bool video;
    EncodedFrame frame;
  };
  struct HeldPicture {
    VideoFrame picture;
    Instant due;
  };
  static constexpr size_t kMaxHeldPictures = 32;  // 500 ms at 60 fps, with room
  void decode_video(H264Decoder& decoder);
  void render();                       // the render stage: held pictures, when due
  void present(const VideoFrame& picture);  // to the sinks: where a picture is shown
  void show_or_hold(const VideoFrame& picture, Instant decoded_at, Duration hold);
  void play_audio();  // the playout clock: one 20 ms frame per tick
  void record();

  Outputs outputs_;
  BoundedQueue<EncodedFrame> video_queue_{8};
  std::unique_ptr<AudioPlayout> playout_;
  std::atomic<bool> audio_started_{false}, stopping_{false};
  std::mutex audio_mu_;
  std::condition_variable audio_cv_;
  uint32_t last_recorded_audio_ts_ = 0;  // network thread: the recorder gets audio in order
  bool recorded_audio_ = false;
  BoundedQueue<RecordItem> record_queue_{512};
  LatencyTracker latency_;
  std::atomic<uint64_t> frames_decoded_{0}, decode_errors_{0}, audio_decoded_{0},
      audio_concealed_{0};
  std::atomic<int64_t> first_frame_us_{0};
  int64_t last_frame_us_ = 0;  // whoever presents (one at a time, see render_busy_)
  std::atomic<uint32_t> audio_ref_rtp_{0};
  std::atomic<int64_t> audio_ref_sender_us_{0};
  mutable std::mutex sync_mu_;  // the video and audio threads both feed it
  AvSync sync_;
  // The render stage: pictures held for lip sync, in order. The decoder
  // presents directly only while it is empty and not presenting.
  std::mutex render_mu_;
  std::condition_variable render_cv_;
  std::deque<HeldPicture> held_;
  bool render_busy_ = false, render_stopping_ = false;
  std::atomic<uint64_t> freezes_{0};
  std::atomic<int64_t> longest_freeze_us_{0};
  std::thread video_thread_, render_thread_, audio_thread_, record_thread_;
};

}  // namespace peercall
