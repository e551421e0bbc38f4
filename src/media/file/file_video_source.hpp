#pragma once
// Video from any file or pipe libavformat reads (clip.mp4, clip.y4m, "-" = y4m
// on stdin), decoded, converted to tight I420 and handed out in real time by
// the file's timestamps, optionally looping. Without a requested size every
// picture keeps its own (rounded down to even, square pixels: an anamorphic
// file is widened by its sample aspect), so a file whose size changes midway
// hands out pictures of the new size. A live input (is_live_input: pipe, FIFO,
// "-", stream URL) is not paced again: each frame is handed out as soon as it
// is read, stamped with that moment.
#include <memory>
#include <string>

#include "core/result.hpp"
#include "media/file/i420_converter.hpp"
#include "media/file/media_file_reader.hpp"
#include "media/file/realtime_pacer.hpp"
#include "media/video_source.hpp"

namespace peercall {

struct FileVideoSourceConfig {
  std::string path;    // "-" = YUV4MPEG2 on stdin
  int width = 0;       // 0 and 0 = each picture's own size (rounded down to even);
  int height = 0;      // one of them 0 = derived from the other, keeping the aspect
  bool loop = false;   // at the end start over; timestamps keep increasing
  bool realtime = true;  // false: no pacing, frames as fast as read() is called
  bool live = false;     // minimal probing, no pacing (see MediaFileReaderConfig::live)
};

class FileVideoSource : public VideoSource {
 public:
  // Error: "video file 'x.mp4': No such file or directory", "...: no video stream".
  static Result<std::unique_ptr<FileVideoSource>> open(const FileVideoSourceConfig& config);
  ~FileVideoSource() override;

  // The next frame when it is due; nullopt at the end, on failure or once interrupted.
  std::optional<VideoFrame> read() override;
  void interrupt() override;
  std::string describe() const override;
  std::string error() const override { return error_; }

  // The size of the pictures handed out (the latest one's).
  int width() const { return converter_->width(); }
  int height() const { return converter_->height(); }
  double frame_rate() const override;

 private:
  FileVideoSource() = default;
  bool follows_source_size() const { return config_.width <= 0 && config_.height <= 0; }

  FileVideoSourceConfig config_;
  std::unique_ptr<MediaFileReader> reader_;
  RealtimePacer pacer_;
  std::unique_ptr<I420Converter> converter_;
  uint64_t next_index_ = 0;
  std::string error_;
};

}  // namespace peercall
