#pragma once
// Writes raw video as YUV4MPEG2 to a file or to stdout ("-"), so any program
// (ffmpeg, ffplay, mpv) can consume a call live. A y4m stream has one size and
// one rate, both in its header:
// - the size is the first frame's; later frames of another size (the sender
//   switched source or clip) are fitted into it keeping their aspect, with
//   black borders, so the output stays valid and undistorted (the window, by
//   contrast, follows the new size);
// - the rate is what is received, measured from the capture times of the
//   first kRateFrames frames (the sender's clock, carried by RTP timestamps),
//   rounded to a common rate; the header waits for them (~230 ms at 30 fps).
// Frames are written whole by a writer thread; on_video() never blocks (a
// slow reader makes the oldest queued frames drop, counted).
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/bounded_queue.hpp"
#include "core/result.hpp"
#include "media/codec/video_scaler.hpp"
#include "output/file/output_file.hpp"
#include "output/video_sink.hpp"

namespace peercall {

// A frame rate as y4m writes it (F25:1).
struct FrameRate {
  int num = 30;
  int den = 1;
  bool operator==(const FrameRate&) const = default;
};
// The rate of frames captured at these times (microseconds, in order): the
// span over the number of frame intervals the median interval implies,
// snapped to the nearest common rate (24, 25, 30, 50, 60, 15, ...; NTSC's
// 29.97 counts as 30) within 6%, else rounded to whole frames per second.
// `fallback` when there is no usable interval.
FrameRate estimate_frame_rate(const std::vector<int64_t>& capture_times_us, FrameRate fallback);

class Y4mWriter : public VideoSink {
 public:
  static constexpr size_t kDefaultQueueFrames = 30;
  // 4 intervals: the first picture's time on our clock may move by a few ms
  // (the receiver re-anchors at the least-delayed packet, and a keyframe takes
  // longer to encode and send), so one interval of the first few can be off;
  // the median of four is not. Every frame held here delays the first picture
  // of a pipe (a call set-up figure): 4 is the least that is robust.
  static constexpr size_t kRateFrames = 5;

  // Error: "y4m output 'x.y4m': Permission denied". `fallback_fps` is written
  // when the rate cannot be measured (one frame, equal capture times); 0 = 30.
  static Result<std::unique_ptr<Y4mWriter>> open(const std::string& path_or_dash, int fallback_fps,
                                                 size_t max_queued_frames = kDefaultQueueFrames);
  ~Y4mWriter() override;

  void on_video(const VideoFrame& frame) override;
  // Writes the frames still queued, then closes. Idempotent.
  void close() override;

  uint64_t frames_written() const { return written_; }
  // Queue overflow, malformed frames and frames after the output failed.
  uint64_t frames_dropped() const { return queue_.dropped() + rejected_; }
  // Why the output stopped (e.g. "...: the reader closed it").
  std::string error() const;
  // Set before the first frame: told once when the output fails.
  void on_failure(OutputFailureHandler handler) { on_failure_ = std::move(handler); }

 private:
  Y4mWriter(std::unique_ptr<OutputFile> out, int fps, size_t max_queued_frames);
  void run();
  bool write_header();  // from the frames held in first_frames_
  bool write_frame(const VideoFrame& frame);

  std::unique_ptr<OutputFile> out_;  // writer thread only, until joined
  const int fps_;
  BoundedQueue<VideoFrame> queue_;
  // Writer thread only. The stream's size, set by the first frame.
  int width_ = 0;
  int height_ = 0;
  std::vector<VideoFrame> first_frames_;  // held until the rate is known
  bool header_written_ = false;
  VideoScaler scaler_;
  std::atomic<uint64_t> written_{0};
  std::atomic<uint64_t> rejected_{0};
  mutable std::mutex error_mu_;
  std::string error_;
  OutputFailureHandler on_failure_;
  std::thread thread_;  // last: starts after everything it uses exists
};

}  // namespace peercall
