#include "media/file/file_video_source.hpp"

#include <algorithm>

#include "media/file/square_pixels.hpp"


namespace peercall {
namespace {

constexpr int kMaxDimension = kMaxPictureDimension;

std::pair<int, int> display_size(int w, int h, AVRational sar) { return square_pixel_size(w, h, sar.num, sar.den); }

}  // namespace

Result<std::unique_ptr<FileVideoSource>> FileVideoSource::open(const FileVideoSourceConfig& config) {
  auto reader = MediaFileReader::open(
      {.path = config.path, .type = AVMEDIA_TYPE_VIDEO, .stdin_format = "yuv4mpegpipe", .loop = config.loop,
       .live = config.live});
  if (!reader) return Error{reader.error()};

  std::unique_ptr<FileVideoSource> s(new FileVideoSource());
  s->config_ = config;
  s->reader_ = std::move(*reader);
  const auto [src_w, src_h] = display_size(s->reader_->decoder().width, s->reader_->decoder().height,
                                           s->reader_->decoder().sample_aspect_ratio);
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
  const Instant read_at = Clock::now();
  if (follows_source_size()) {
    const auto [w, h] = display_size(decoded->width, decoded->height, decoded->sample_aspect_ratio);
    if (round_even(w) != width() || round_even(h) != height())
      converter_ = std::make_unique<I420Converter>(round_even(w), round_even(h));
  }
  I420Buffer picture(width(), height());
  if (!converter_->convert(*decoded, picture)) {
    error_ = converter_->error();
    return std::nullopt;
  }
  // A live frame is due the moment it was read: pacing it again would only
  // add latency (up to RealtimePacer::kMaxLateness).
  if (config_.live || !config_.realtime) return std::move(picture).freeze(read_at, next_index_++);
  // Converting before waiting hides the conversion time inside the wait.
  const std::optional<Instant> due = pacer_.wait(microseconds(reader_->frame_time_us()));
  if (!due) return std::nullopt;
  return std::move(picture).freeze(*due, next_index_++);
}

double FileVideoSource::frame_rate() const {
  const AVStream& st = reader_->stream();
  for (AVRational r : {st.avg_frame_rate, st.r_frame_rate}) {
    if (r.num > 0 && r.den > 0) return av_q2d(r);
  }
  return 0;
}

void FileVideoSource::interrupt() {
  reader_->interrupt();
  pacer_.interrupt();
}

std::string FileVideoSource::describe() const {
  return "video file " + reader_->describe() + " -> " + std::to_string(width()) + "x" + std::to_string(height());
}

}  // namespace peercall
