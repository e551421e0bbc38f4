#pragma once
// decode -> render / playout / record, off the network thread: one thread per
// decoder and one for the recorder. Queues drop the oldest; a dropped video
// frame breaks the reference chain, so the decoder then waits for a keyframe
// and asks for one.
#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "app/latency_tracker.hpp"
#include "core/bounded_queue.hpp"
#include "output/audio_sink.hpp"
#include "output/file/mkv_recorder.hpp"
#include "output/video_sink.hpp"

namespace peercall {

class H264Decoder;
class OpusDecoder;

struct ReceivePipelineStats {
  uint64_t frames_decoded = 0;
  uint64_t decode_errors = 0;
  uint64_t frames_skipped = 0;  // dropped before decoding: it was behind
  uint64_t audio_frames_decoded = 0;
  uint64_t audio_frames_concealed = 0;
  Instant first_frame_at{};  // when the first picture was decoded (epoch: none yet)
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
  void on_audio(EncodedFrame frame, uint32_t lost_before);

  ReceivePipelineStats stats() const;
  LatencyTracker& latency() { return latency_; }

 private:
  struct AudioPacket {
    EncodedFrame frame;
    uint32_t lost_before = 0;
  };
  struct RecordItem {
    bool video;
    EncodedFrame frame;
  };
  void decode_video(H264Decoder& decoder);
  void decode_audio(OpusDecoder& decoder);
  void record();

  Outputs outputs_;
  BoundedQueue<EncodedFrame> video_queue_{8};
  BoundedQueue<AudioPacket> audio_queue_{10};
  BoundedQueue<RecordItem> record_queue_{512};
  LatencyTracker latency_;
  std::atomic<uint64_t> frames_decoded_{0}, decode_errors_{0}, audio_decoded_{0},
      audio_concealed_{0};
  std::atomic<int64_t> first_frame_us_{0};
  std::thread video_thread_, audio_thread_, record_thread_;
};

}  // namespace peercall
