#include "media/file/file_video_source.hpp"

#include <algorithm>


namespace peercall {
namespace {

constexpr int kMaxDimension = 8192;

int round_even(int v) { return std::max(2, v & ~1); }

}  // namespace

Result<std::unique_ptr<FileVideoSource>> FileVideoSource::open(const FileVideoSourceConfig& config) {
  auto reader = MediaFileReader::open(
      {.path = config.path, .type = AVMEDIA_TYPE_VIDEO, .stdin_format = "yuv4mpegpipe", .loop = config.loop});
  if (!reader) return Error{reader.error()};

  std::unique_ptr<FileVideoSource> s(new FileVideoSource());
  s->config_ = config;
  s->reader_ = std::move(*reader);
  const int src_w = s->reader_->decoder().width;
  const int src_h = s->reader_->decoder().height;
  int w = config.width;
  int h = config.height;
  if (w <= 0 && h <= 0) {
    w = src_w;
    h = src_h;
  } else if (w <= 0 && src_h > 0) {
    w = int(int64_t(h) * src_w / src_h);
  } else if (h <= 0 && src_w > 0) {
    h = int(int64_t(w) * src_h / src_w);
  }
  if (w <= 0 || h <= 0 || w > kMaxDimension || h > kMaxDimension) {
    return Error("video file '" + config.path + "': unusable frame size " + std::to_string(w) + "x" +
                 std::to_string(h));
  }
  s->converter_ = std::make_unique<I420Converter>(round_even(w), round_even(h));
  return s;
}

FileVideoSource::~FileVideoSource() = default;

std::optional<VideoFrame> FileVideoSource::read() {
  if (pacer_.interrupted()) return std::nullopt;
  const AVFrame* decoded = reader_->next();
  if (!decoded) {
    error_ = reader_->error();
    return std::nullopt;
  }
  I420Buffer picture(width(), height());
  if (!converter_->convert(*decoded, picture)) {
    error_ = converter_->error();
    return std::nullopt;
  }
  // Converting before waiting hides the conversion time inside the wait.
  if (config_.realtime && !pacer_.wait(microseconds(reader_->frame_time_us()))) return std::nullopt;
  return std::move(picture).freeze(Clock::now(), next_index_++);
}

void FileVideoSource::interrupt() {
  reader_->interrupt();
  pacer_.interrupt();
}

std::string FileVideoSource::describe() const {
  return "video file " + reader_->describe() + " -> " + std::to_string(width()) + "x" + std::to_string(height());
}

}  // namespace peercall
