#include "media/device/screen_source.hpp"

#include <cstdio>
#include <cstdlib>
#include <mutex>

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavdevice/avdevice.h>
#include <libavformat/avformat.h>
#include <libswscale/swscale.h>
}

#include "core/time.hpp"
#include "media/codec/i420_buffer.hpp"

namespace peercall {
namespace {
constexpr int kMaxSide = 8192;
}

Result<ScreenConfig> parse_screen_spec(const std::string& spec) {
  ScreenConfig config;
  if (spec.empty()) return config;
  int x = 0, y = 0, w = 0, h = 0, used = 0;
  if (std::sscanf(spec.c_str(), ":+%d,%d,%dx%d%n", &x, &y, &w, &h, &used) != 4 || used != int(spec.size()) ||
      x < 0 || y < 0 || w < 2 || h < 2 || w > kMaxSide || h > kMaxSide) {
    return Error{"--video screen" + spec + ": expected screen or screen:+X,Y,WxH (e.g. screen:+0,0,1280x720)"};
  }
  config.x = x;
  config.y = y;
  config.width = w;
  config.height = h;
  return config;
}

int ScreenSource::interrupt_requested(void* self) {
  return static_cast<ScreenSource*>(self)->interrupted_.load() ? 1 : 0;
}

Result<std::unique_ptr<ScreenSource>> ScreenSource::open(const ScreenConfig& config) {
  ScreenConfig c = config;
  if (c.display.empty()) {
    const char* display = std::getenv("DISPLAY");
    if (!display || !*display) {
      if (std::getenv("WAYLAND_DISPLAY"))
        return Error{"screen capture: Wayland is not supported (X11 only; DISPLAY is not set)"};
      return Error{"screen capture: no X display (DISPLAY is not set)"};
    }
    c.display = display;
  }
  if (c.fps <= 0 || c.fps > 60) return Error{"screen capture: the frame rate must be 1-60"};
  static std::once_flag registered;
  std::call_once(registered, [] { avdevice_register_all(); });
  const AVInputFormat* input = av_find_input_format("x11grab");
  if (!input) return Error{"screen capture: this FFmpeg has no x11grab input"};

  std::unique_ptr<ScreenSource> s(new ScreenSource(c));
  AVFormatContext* ctx = avformat_alloc_context();
  if (!ctx) return Error{"screen capture: out of memory"};
  ctx->interrupt_callback = {&ScreenSource::interrupt_requested, s.get()};
  AVDictionary* options = nullptr;
  av_dict_set(&options, "framerate", std::to_string(c.fps).c_str(), 0);
  av_dict_set(&options, "draw_mouse", c.draw_mouse ? "1" : "0", 0);
  if (c.width > 0 && c.height > 0) {
    av_dict_set(&options, "video_size", (std::to_string(c.width) + "x" + std::to_string(c.height)).c_str(), 0);
    av_dict_set(&options, "grab_x", std::to_string(c.x).c_str(), 0);
    av_dict_set(&options, "grab_y", std::to_string(c.y).c_str(), 0);
  }
  const int rc = avformat_open_input(&ctx, c.display.c_str(), input, &options);  // frees ctx on failure
  av_dict_free(&options);
  const std::string who = "screen capture of " + c.display;
  if (rc < 0) return Error{who + ": " + av_error_text(rc)};
  s->format_.reset(ctx);

  const AVCodec* codec = nullptr;
  s->stream_index_ = av_find_best_stream(ctx, AVMEDIA_TYPE_VIDEO, -1, -1, &codec, 0);
  if (s->stream_index_ < 0 || !codec) return Error{who + ": no video stream"};
  s->decoder_.reset(avcodec_alloc_context3(codec));
  if (!s->decoder_ || avcodec_parameters_to_context(s->decoder_.get(), ctx->streams[s->stream_index_]->codecpar) < 0 ||
      avcodec_open2(s->decoder_.get(), codec, nullptr) < 0)
    return Error{who + ": cannot decode its pictures"};
  s->config_.width = s->decoder_->width;
  s->config_.height = s->decoder_->height;
  s->packet_.reset(av_packet_alloc());
  s->frame_.reset(av_frame_alloc());
  if (!s->packet_ || !s->frame_) return Error{"screen capture: out of memory"};
  return s;
}

ScreenSource::~ScreenSource() = default;

std::optional<VideoFrame> ScreenSource::read() {
  while (!interrupted_) {
    const int rc = av_read_frame(format_.get(), packet_.get());
    if (rc == AVERROR_EXIT) break;
    if (rc < 0) {
      error_ = "screen capture: " + av_error_text(rc);
      return std::nullopt;
    }
    const Instant grabbed = Clock::now();
    const bool ours = packet_->stream_index == stream_index_;
    const int sent = ours ? avcodec_send_packet(decoder_.get(), packet_.get()) : -1;
    av_packet_unref(packet_.get());
    if (sent < 0 || avcodec_receive_frame(decoder_.get(), frame_.get()) < 0) continue;
    auto frame = convert(*frame_);
    av_frame_unref(frame_.get());
    if (!frame) return std::nullopt;
    frame->capture_time = grabbed;
    return frame;
  }
  return std::nullopt;  // interrupted: not an error
}

std::optional<VideoFrame> ScreenSource::convert(const AVFrame& in) {
  const int w = in.width & ~1, h = in.height & ~1;
  if (w <= 0 || h <= 0) {
    error_ = "screen capture: picture too small";
    return std::nullopt;
  }
  // Screens are full-range RGB; BT.601 limited range out, as the encoder assumes.
  // An odd last row or column is cut (the source size given as even), not scaled in.
  sws_.reset(sws_getCachedContext(sws_.release(), w, h, AVPixelFormat(in.format), w, h,
                                  AV_PIX_FMT_YUV420P, SWS_BICUBIC, nullptr, nullptr, nullptr));
  if (!sws_) {
    error_ = "screen capture: cannot convert its pixel format";
    return std::nullopt;
  }
  I420Buffer out(w, h);
  auto planes = out.planes();
  auto strides = out.strides();
  sws_scale(sws_.get(), in.data, in.linesize, 0, h, planes.data(), strides.data());
  return std::move(out).freeze(Instant{}, index_++);
}

std::string ScreenSource::describe() const {
  return "screen " + config_.display + "+" + std::to_string(config_.x) + "," + std::to_string(config_.y) + " " +
         std::to_string(config_.width) + "x" + std::to_string(config_.height) + "@" + std::to_string(config_.fps);
}

}  // namespace peercall
