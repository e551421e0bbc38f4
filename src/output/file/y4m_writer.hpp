#pragma once
// Writes raw video as YUV4MPEG2 to a file or to stdout ("-"), so any program
// (ffmpeg, ffplay, mpv) can consume a call live. The stream keeps the size of
// the first frame: later frames of another size are scaled to it, so the
// output stays valid. Frames are written whole by a writer thread; on_video()
// never blocks (a slow reader makes the oldest queued frames drop, counted).
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "core/bounded_queue.hpp"
#include "core/result.hpp"
#include "media/codec/video_scaler.hpp"
#include "output/file/output_file.hpp"
#include "output/video_sink.hpp"

namespace peercall {

class Y4mWriter : public VideoSink {
 public:
  static constexpr size_t kDefaultQueueFrames = 30;

  // Error: "y4m output 'x.y4m': Permission denied". The header is written with
  // the first frame (its size is not known before).
  static Result<std::unique_ptr<Y4mWriter>> open(const std::string& path_or_dash, int fps,
                                                 size_t max_queued_frames = kDefaultQueueFrames);
  ~Y4mWriter() override;

  void on_video(const VideoFrame& frame) override;
  // Writes the frames still queued, then closes. Idempotent.
  void close() override;

  uint64_t frames_written() const { return written_; }
  // Queue overflow, malformed frames and frames after the output failed.
  uint64_t frames_dropped() const { return queue_.dropped() + rejected_; }
  // Why the output stopped (e.g. "...: Broken pipe" when the reader went away).
  std::string error() const;

 private:
  Y4mWriter(std::unique_ptr<OutputFile> out, int fps, size_t max_queued_frames);
  void run();
  bool write_frame(const VideoFrame& frame);

  std::unique_ptr<OutputFile> out_;  // writer thread only, until joined
  const int fps_;
  BoundedQueue<VideoFrame> queue_;
  // Writer thread only. The stream's size, set by the first frame.
  int width_ = 0;
  int height_ = 0;
  VideoScaler scaler_;
  std::atomic<uint64_t> written_{0};
  std::atomic<uint64_t> rejected_{0};
  mutable std::mutex error_mu_;
  std::string error_;
  std::thread thread_;  // last: starts after everything it uses exists
};

}  // namespace peercall
