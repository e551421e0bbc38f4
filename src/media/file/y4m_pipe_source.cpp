#include "media/file/y4m_pipe_source.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/eventfd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>

extern "C" {
#include <libavutil/imgutils.h>
}

#include "media/file/square_pixels.hpp"

namespace peercall {
namespace {

constexpr std::string_view kMagic = "YUV4MPEG2";
constexpr int kMaxDimension = kMaxPictureDimension;
// Longest header or FRAME line accepted: real ones are well under 100 bytes.
constexpr size_t kMaxLine = 1024;

bool parse_int(std::string_view s, int& out) {
  int v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || v < 0) return false;
  out = v;
  return true;
}

// "n:d" with both non-negative; false leaves the outputs alone.
bool parse_ratio(std::string_view s, int& num, int& den) {
  const size_t colon = s.find(':');
  int n = 0, d = 0;
  if (colon == std::string_view::npos || !parse_int(s.substr(0, colon), n) || !parse_int(s.substr(colon + 1), d))
    return false;
  num = n;
  den = d;
  return true;
}

std::optional<AVPixelFormat> pixel_format_of(std::string_view c) {
  if (c == "420" || c == "420jpeg" || c == "420paldv" || c == "420mpeg2") return AV_PIX_FMT_YUV420P;
  if (c == "422") return AV_PIX_FMT_YUV422P;
  if (c == "444") return AV_PIX_FMT_YUV444P;
  if (c == "mono") return AV_PIX_FMT_GRAY8;
  return std::nullopt;
}

size_t picture_bytes(AVPixelFormat format, int w, int h) {
  const size_t luma = size_t(w) * size_t(h);
  const size_t cw = size_t(w + 1) / 2, ch = size_t(h + 1) / 2;
  switch (format) {
    case AV_PIX_FMT_YUV420P: return luma + 2 * cw * ch;
    case AV_PIX_FMT_YUV422P: return luma + 2 * cw * size_t(h);
    case AV_PIX_FMT_YUV444P: return 3 * luma;
    default: return luma;  // gray
  }
}

// Could `bytes` (the start of a stream) still be a y4m header?
bool may_be_y4m(std::string_view bytes) {
  const size_t n = std::min(bytes.size(), kMagic.size());
  return bytes.substr(0, n) == kMagic.substr(0, n) && (bytes.size() <= kMagic.size() || bytes[kMagic.size()] == ' ');
}

std::string format_fps(double fps) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g", fps);
  return buf;
}

}  // namespace

Result<Y4mHeader> parse_y4m_header(std::string_view line) {
  if (line.substr(0, kMagic.size()) != kMagic || (line.size() > kMagic.size() && line[kMagic.size()] != ' '))
    return Error("not a YUV4MPEG2 stream");
  Y4mHeader h;
  bool have_w = false, have_h = false;
  for (size_t pos = kMagic.size(); pos < line.size();) {
    const size_t end = std::min(line.find(' ', pos), line.size());
    const std::string_view token = line.substr(pos, end - pos);
    pos = end + 1;
    if (token.empty()) continue;
    const std::string_view value = token.substr(1);
    switch (token[0]) {
      case 'W':
        have_w = parse_int(value, h.width);
        if (!have_w) return Error("bad y4m width W" + std::string(value));
        break;
      case 'H':
        have_h = parse_int(value, h.height);
        if (!have_h) return Error("bad y4m height H" + std::string(value));
        break;
      case 'F': parse_ratio(value, h.fps_num, h.fps_den); break;
      case 'A': parse_ratio(value, h.sar_num, h.sar_den); break;
      case 'C': {
        const auto format = pixel_format_of(value);
        if (!format) return Error("unsupported y4m colour space C" + std::string(value));
        h.colour_space = value;
        h.pixel_format = *format;
        break;
      }
      default: break;  // I (interlacing), X (comments, extensions), future ones
    }
  }
  if (!have_w || !have_h) return Error("the y4m header has no frame size");
  if (h.width < 1 || h.height < 1 || h.width > kMaxDimension || h.height > kMaxDimension)
    return Error("unusable frame size " + std::to_string(h.width) + "x" + std::to_string(h.height));
  h.picture_bytes = picture_bytes(h.pixel_format, h.width, h.height);
  return h;
}

Result<std::unique_ptr<Y4mPipeSource>> Y4mPipeSource::open(const Y4mPipeSourceConfig& config) {
  std::unique_ptr<Y4mPipeSource> s(new Y4mPipeSource());
  s->name_ = !config.name.empty() ? config.name : !config.path.empty() ? config.path : "-";
  if (!config.path.empty()) {
    s->fd_ = ::open(config.path.c_str(), O_RDONLY | O_CLOEXEC);  // a FIFO: until a writer opens it
    if (s->fd_ < 0) return Error(s->fail_prefix() + std::strerror(errno));
    s->owns_fd_ = true;
  } else {
    s->fd_ = config.fd;
  }
  s->wake_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (s->wake_fd_ < 0) return Error(s->fail_prefix() + "eventfd: " + std::strerror(errno));
  s->line_buf_.resize(kMaxLine);

  std::string line;
  const Got got = s->read_line(line);
  const std::string_view buffered(reinterpret_cast<const char*>(s->line_buf_.data()) + s->line_begin_,
                                  s->line_end_ - s->line_begin_);
  if (got == Got::kFailed) {
    return Error(!s->error_.empty() ? s->error_ : s->fail_prefix() + "interrupted before the y4m header");
  }
  if (got != Got::kData && !may_be_y4m(buffered)) return Error(s->fail_prefix() + "not a YUV4MPEG2 stream");
  if (got == Got::kTooLong)
    return Error(s->fail_prefix() + "y4m header line longer than " + std::to_string(kMaxLine) + " bytes");
  if (got != Got::kData) return Error(s->fail_prefix() + "the pipe ended before the y4m header");
  auto header = parse_y4m_header(line);
  if (!header) return Error(s->fail_prefix() + header.error());
  s->header_ = *header;

  const Y4mHeader& h = s->header_;
  const auto [dw, dh] = square_pixel_size(h.width, h.height, h.sar_num, h.sar_den);
  s->out_width_ = round_even(dw);
  s->out_height_ = round_even(dh);
  const bool mono = h.pixel_format == AV_PIX_FMT_GRAY8;
  const bool same_size = s->out_width_ == h.width && s->out_height_ == h.height;
  if (!same_size || (h.pixel_format != AV_PIX_FMT_YUV420P && !mono)) {
    s->converter_ = std::make_unique<I420Converter>(s->out_width_, s->out_height_);
    s->scratch_frame_.reset(av_frame_alloc());
    if (!s->scratch_frame_) return Error(s->fail_prefix() + "out of memory");
    AVFrame& f = *s->scratch_frame_;
    f.width = h.width;
    f.height = h.height;
    if (mono) {
      // Luma with flat chroma, as 4:2:0: swscale would take GRAY8 for full
      // range and stretch it, where y4m's luma is the same as in colour.
      const size_t luma = size_t(h.width) * size_t(h.height);
      const size_t cw = size_t(h.width + 1) / 2, ch = size_t(h.height + 1) / 2;
      s->scratch_.assign(luma + cw * ch, 128);
      f.format = AV_PIX_FMT_YUV420P;
      f.data[0] = s->scratch_.data();
      f.data[1] = f.data[2] = s->scratch_.data() + luma;
      f.linesize[0] = h.width;
      f.linesize[1] = f.linesize[2] = int(cw);
    } else {
      s->scratch_.resize(h.picture_bytes);
      f.format = h.pixel_format;
      // Alignment 1: the tight planes y4m has, chroma sizes rounded up.
      if (av_image_fill_arrays(f.data, f.linesize, s->scratch_.data(), h.pixel_format, h.width, h.height, 1) < 0)
        return Error(s->fail_prefix() + "cannot lay out a " + h.colour_space + " picture");
    }
  }
  return s;
}

Y4mPipeSource::~Y4mPipeSource() {
  if (owns_fd_ && fd_ >= 0) ::close(fd_);
  if (wake_fd_ >= 0) ::close(wake_fd_);
}

ssize_t Y4mPipeSource::read_some(uint8_t* dst, size_t n) {
  for (;;) {
    if (interrupted_) return -1;
    pollfd fds[2] = {{fd_, POLLIN, 0}, {wake_fd_, POLLIN, 0}};
    const int ready = ::poll(fds, 2, -1);
    if (ready < 0) {
      if (errno == EINTR) continue;
      error_ = fail_prefix() + "poll: " + std::strerror(errno);
      return -1;
    }
    if (fds[1].revents != 0) return -1;  // interrupted
    if (fds[0].revents & POLLNVAL) {
      error_ = fail_prefix() + "not an open descriptor";
      return -1;
    }
    const ssize_t got = ::read(fd_, dst, n);
    if (got >= 0) return got;
    if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK) continue;
    error_ = fail_prefix() + std::strerror(errno);
    return -1;
  }
}

Y4mPipeSource::Got Y4mPipeSource::read_line(std::string& line) {
  for (;;) {
    uint8_t* const begin = line_buf_.data() + line_begin_;
    const size_t have = line_end_ - line_begin_;
    if (const void* nl = std::memchr(begin, '\n', have)) {
      const auto* end = static_cast<const uint8_t*>(nl);
      line.assign(reinterpret_cast<const char*>(begin), size_t(end - begin));
      line_begin_ += size_t(end - begin) + 1;
      return Got::kData;
    }
    if (have >= line_buf_.size()) return Got::kTooLong;
    if (line_begin_ > 0) {
      std::memmove(line_buf_.data(), begin, have);
      line_begin_ = 0;
      line_end_ = have;
    }
    const ssize_t got = read_some(line_buf_.data() + line_end_, line_buf_.size() - line_end_);
    if (got < 0) return Got::kFailed;
    if (got == 0) return have > 0 ? Got::kPartial : Got::kEnd;
    line_end_ += size_t(got);
  }
}

Y4mPipeSource::Got Y4mPipeSource::read_exact(uint8_t* dst, size_t n) {
  // What the last line read brought along first, then the rest straight in.
  const size_t buffered = std::min(n, line_end_ - line_begin_);
  std::memcpy(dst, line_buf_.data() + line_begin_, buffered);
  line_begin_ += buffered;
  if (line_begin_ == line_end_) line_begin_ = line_end_ = 0;
  for (size_t done = buffered; done < n;) {
    const ssize_t got = read_some(dst + done, n - done);
    if (got < 0) return Got::kFailed;
    if (got == 0) return Got::kPartial;
    done += size_t(got);
  }
  return Got::kData;
}

std::optional<VideoFrame> Y4mPipeSource::read() {
  if (ended_ || interrupted_) return std::nullopt;
  // Allocated (and zeroed by std::vector) while the writer is still busy, so
  // that this cost is not paid between the last byte and the hand-over.
  I420Buffer picture(out_width_, out_height_);
  const auto end = [&](std::string why) -> std::optional<VideoFrame> {
    ended_ = true;
    if (!why.empty() && error_.empty()) error_ = fail_prefix() + why;
    return std::nullopt;
  };
  std::string line;
  switch (read_line(line)) {
    case Got::kData: break;
    case Got::kEnd: return end("");  // a clean end, at a frame boundary
    case Got::kPartial: return end("ended inside a frame");
    case Got::kTooLong: return end("bad frame header");
    case Got::kFailed: return end("");
  }
  if (line.rfind("FRAME", 0) != 0 || (line.size() > 5 && line[5] != ' ')) return end("bad frame header");
  // Mono in place: the luma plane only; its chroma is flat grey below.
  uint8_t* const dst = converter_ ? scratch_.data() : picture.y();
  switch (read_exact(dst, header_.picture_bytes)) {
    case Got::kData: break;
    case Got::kFailed: return end("");
    default: return end("ended inside a frame");
  }
  const Instant arrived = Clock::now();
  if (!converter_ && header_.pixel_format == AV_PIX_FMT_GRAY8)
    std::memset(picture.u(), 128, 2 * size_t(out_width_ / 2) * size_t(out_height_ / 2));
  if (converter_ && !converter_->convert(*scratch_frame_, picture)) return end(converter_->error());
  return std::move(picture).freeze(arrived, next_index_++);
}

void Y4mPipeSource::interrupt() {
  interrupted_ = true;
  const uint64_t one = 1;
  [[maybe_unused]] const ssize_t n = ::write(wake_fd_, &one, sizeof one);
}

double Y4mPipeSource::frame_rate() const {
  return header_.fps_num > 0 && header_.fps_den > 0 ? double(header_.fps_num) / header_.fps_den : 0;
}

std::string Y4mPipeSource::describe() const {
  std::string size = std::to_string(header_.width) + "x" + std::to_string(header_.height);
  if (header_.pixel_format != AV_PIX_FMT_YUV420P) size += " " + header_.colour_space;
  if (out_width_ != header_.width || out_height_ != header_.height)
    size += " -> " + std::to_string(out_width_) + "x" + std::to_string(out_height_);
  const double fps = frame_rate();
  return "video y4m pipe " + name_ + " (" + size + (fps > 0 ? ", " + format_fps(fps) + " fps" : "") + ", live)";
}

}  // namespace peercall
