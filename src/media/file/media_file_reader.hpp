#pragma once
// Demuxes and decodes the best stream of one kind (video or audio) from any
// file or pipe libavformat reads, optionally looping. Gives each decoded frame
// a time in microseconds that starts at 0 and keeps increasing across loops, so
// callers can pace playback without caring about the container's timestamps.
#include <atomic>
#include <memory>
#include <string>

#include "core/result.hpp"
#include "media/ffmpeg/ffmpeg_ptr.hpp"

namespace peercall {

struct MediaFileReaderConfig {
  std::string path;                // "-" = stdin
  AVMediaType type = AVMEDIA_TYPE_VIDEO;
  const char* stdin_format = nullptr;  // demuxer forced for "-" (probing a pipe may block)
  bool loop = false;
  // A live input (pipe, FIFO, device, stream URL): probe no more than its
  // header (a y4m or wav header says everything) and let the demuxer hand
  // out data as soon as it arrives, so no latency is spent before the first frame.
  bool live = false;
};

// A pipe, a FIFO, a character device, "-" (stdin), or a URL of a streaming
// protocol (rtp, rtsp, rtmp, udp, srt, tcp): its frames come at the pace they
// are produced, so they are passed on as they arrive, never paced again.
// Files and http(s) URLs (downloads) are paced by their timestamps.
bool is_live_input(const std::string& path);

class MediaFileReader {
 public:
  static Result<std::unique_ptr<MediaFileReader>> open(const MediaFileReaderConfig& config);
  ~MediaFileReader();
  MediaFileReader(const MediaFileReader&) = delete;
  MediaFileReader& operator=(const MediaFileReader&) = delete;

  // The next decoded frame (valid until the next call), or nullptr when the
  // input ended, failed or was interrupted. error() then says why, if not EOF.
  const AVFrame* next();
  // Time of the frame last returned by next(), from 0 at the first frame.
  int64_t frame_time_us() const { return frame_time_us_; }
  // Makes a blocked read give up at the next chance (FFmpeg's interrupt callback).
  void interrupt() { interrupted_ = true; }

  const AVCodecContext& decoder() const { return *decoder_; }
  const AVStream& stream() const { return *format_->streams[stream_index_]; }
  std::string error() const { return error_; }
  // "mp4, h264 320x240" / "wav, pcm_s16le 44100 Hz"
  std::string describe() const;

 private:
  MediaFileReader() = default;
  bool read_packet();  // feeds the decoder; false = nothing more to feed
  bool restart();      // loop: back to the start; false if not looping / cannot seek
  void stamp_frame();
  int64_t nominal_frame_us() const;
  static int interrupt_callback(void* self);

  MediaFileReaderConfig config_;
  InputFormatPtr format_;
  CodecContextPtr decoder_;
  FramePtr frame_;
  PacketPtr packet_;
  int stream_index_ = -1;
  bool draining_ = false;
  bool frame_this_pass_ = false;
  std::atomic<bool> interrupted_{false};

  int64_t first_ts_ = AV_NOPTS_VALUE;  // stream time base
  int64_t pass_offset_us_ = 0;         // added to times in the current loop pass
  int64_t frame_time_us_ = -1;
  int64_t frame_duration_us_ = 0;
  std::string error_;
};

}  // namespace peercall
