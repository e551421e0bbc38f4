#pragma once
// Live YUV4MPEG2 read straight from a pipe (stdin, a FIFO), for the lowest
// latency: a 4:2:0 picture of even size is read(2) directly into the frame's
// own buffer (y4m's planes are tight I420), with no demuxer, decoder or copy
// in between. Other layouts (4:4:4, 4:2:2, mono, odd sizes, non-square
// pixels) go through a reused scratch buffer and I420Converter. The pipe keeps
// its own size (64 KiB by default): a 720p frame crossed a 1 MiB pipe ~0.2 ms
// slower than a 64-128 KiB one here (1 MiB of distinct, cold pages against a
// few reused hot ones), even though it takes one hand-over instead of 21.
// Never paced: each frame is handed out the moment its last byte arrived,
// stamped with that moment.
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "media/file/i420_converter.hpp"
#include "media/video_source.hpp"

namespace peercall {

struct Y4mPipeSourceConfig {
  int fd = STDIN_FILENO;  // read when path is empty; not closed by the source
  std::string path;       // a FIFO (or file) to open instead; owned and closed
  std::string name;       // for messages; empty: path, or "-" for a descriptor
};

// What a y4m stream header says (only what we use).
struct Y4mHeader {
  int width = 0;
  int height = 0;
  int fps_num = 0, fps_den = 0;  // 0:0 = unknown
  int sar_num = 0, sar_den = 0;  // 0:0 = unknown (square)
  std::string colour_space = "420jpeg";
  AVPixelFormat pixel_format = AV_PIX_FMT_YUV420P;
  size_t picture_bytes = 0;  // one frame's payload after its FRAME line
};

// Parses the stream header line (without its '\n'). Error: the reason
// without the "video file" prefix ("not a YUV4MPEG2 stream", ...).
Result<Y4mHeader> parse_y4m_header(std::string_view line);

class Y4mPipeSource : public VideoSource {
 public:
  // Reads and checks the header (blocks until it arrived). Error: "video file
  // '-': not a YUV4MPEG2 stream", "...: the pipe ended before the y4m header".
  static Result<std::unique_ptr<Y4mPipeSource>> open(const Y4mPipeSourceConfig& config);
  ~Y4mPipeSource() override;
  Y4mPipeSource(const Y4mPipeSource&) = delete;
  Y4mPipeSource& operator=(const Y4mPipeSource&) = delete;

  // The next frame as soon as it has arrived; nullopt at the end, on a bad
  // stream (error()) or once interrupted.
  std::optional<VideoFrame> read() override;
  // From any thread: wakes a blocked read(), which then returns nullopt, as
  // does every later one.
  void interrupt() override;
  std::string describe() const override;
  std::string error() const override { return error_; }
  double frame_rate() const override;

  // The size of the pictures handed out (even, square pixels).
  int width() const { return out_width_; }
  int height() const { return out_height_; }
  const Y4mHeader& header() const { return header_; }
  // True when pictures are read straight into the frame (no conversion): 4:2:0
  // or mono, of even size, with square pixels.
  bool reads_in_place() const { return !converter_; }

 private:
  // kEnd: the stream ended before any byte; kPartial: ended part-way;
  // kFailed: error_ set, or interrupted.
  enum class Got { kData, kEnd, kPartial, kTooLong, kFailed };

  Y4mPipeSource() = default;
  std::string fail_prefix() const { return "video file '" + name_ + "': "; }
  // Reads at most `n` bytes into `dst` once the descriptor is readable.
  // >0: bytes read, 0: end of stream, -1: interrupted or failed (error_).
  ssize_t read_some(uint8_t* dst, size_t n);
  // A line (without '\n') of at most the line buffer's size into `line`.
  Got read_line(std::string& line);
  // Exactly n bytes into dst: first what the line buffer holds, then read(2).
  Got read_exact(uint8_t* dst, size_t n);

  int fd_ = -1;
  bool owns_fd_ = false;
  int wake_fd_ = -1;  // eventfd: readable once interrupt() was called
  std::atomic<bool> interrupted_{false};
  std::string name_;
  Y4mHeader header_;
  int out_width_ = 0;
  int out_height_ = 0;
  std::unique_ptr<I420Converter> converter_;  // null: read in place
  std::vector<uint8_t> scratch_;              // one raw picture (+ flat chroma for mono), when converting
  FramePtr scratch_frame_;                    // scratch_ seen as an AVFrame
  // Lines are read through this; bytes past a line belong to the picture.
  std::vector<uint8_t> line_buf_;
  size_t line_begin_ = 0, line_end_ = 0;
  uint64_t next_index_ = 0;
  bool ended_ = false;
  std::string error_;
};

}  // namespace peercall
