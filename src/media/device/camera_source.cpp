#include "media/device/camera_source.hpp"

#include <cerrno>
#include <chrono>
#include <mutex>
#include <thread>

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavdevice/avdevice.h>
#include <libavformat/avformat.h>
#include <libavutil/pixdesc.h>
#include <libswscale/swscale.h>
}

#include "core/time.hpp"

namespace peercall {

namespace {

constexpr int kMaxSide = 4096;
// A stream of undecodable packets means the device is broken, not noisy.
constexpr uint64_t kMaxConsecutiveBadPackets = 100;
// Non-blocking reads poll at this period so interrupt() is honoured even when
// a camera stalls (a blocking VIDIOC_DQBUF cannot be woken from outside).
constexpr auto kPollPeriod = std::chrono::milliseconds(2);

// Errors that no other pixel format can fix: stop trying formats.
bool is_device_error(int rc) {
  for (int e : {ENOENT, EACCES, EPERM, EBUSY, ENODEV, ENXIO}) {
    if (rc == AVERROR(e)) return true;
  }
  return rc == AVERROR_EXIT;
}

// MJPEG decodes to the deprecated full-range "J" formats; swscale wants the
// plain format plus a full-range flag.
AVPixelFormat plain_format(AVPixelFormat format, bool& full_range) {
  full_range = true;
  switch (format) {
    case AV_PIX_FMT_YUVJ420P: return AV_PIX_FMT_YUV420P;
    case AV_PIX_FMT_YUVJ422P: return AV_PIX_FMT_YUV422P;
    case AV_PIX_FMT_YUVJ444P: return AV_PIX_FMT_YUV444P;
    case AV_PIX_FMT_YUVJ440P: return AV_PIX_FMT_YUV440P;
    case AV_PIX_FMT_YUVJ411P: return AV_PIX_FMT_YUV411P;
    default: full_range = false; return format;
  }
}

}  // namespace

CameraSource::~CameraSource() = default;

int CameraSource::interrupt_requested(void* self) {
  return static_cast<CameraSource*>(self)->interrupted_.load() ? 1 : 0;
}

Result<std::unique_ptr<CameraSource>> CameraSource::open(const CameraConfig& config) {
  if (config.width <= 0 || config.height <= 0 || config.width % 2 || config.height % 2 ||
      config.width > kMaxSide || config.height > kMaxSide || config.fps <= 0) {
    return Error{"camera: size must be even and positive, fps positive"};
  }
  static std::once_flag registered;
  std::call_once(registered, [] { avdevice_register_all(); });

  std::unique_ptr<CameraSource> camera(new CameraSource(config));
  if (auto opened = camera->open_input(); !opened) return Error{opened.error()};
  if (auto opened = camera->open_decoder(); !opened) return Error{opened.error()};
  camera->packet_.reset(av_packet_alloc());
  camera->frame_.reset(av_frame_alloc());
  if (!camera->packet_ || !camera->frame_) return Error{"camera: out of memory"};
  return camera;
}

Result<bool> CameraSource::open_input() {
  const std::string who = "camera " + config_.device;
  const AVInputFormat* input = av_find_input_format(config_.driver.c_str());
  if (!input) return Error{"camera: libavdevice has no '" + config_.driver + "' input"};

  const std::string size = std::to_string(config_.width) + "x" + std::to_string(config_.height);
  const std::string rate = std::to_string(config_.fps);
  // Raw first (no decode cost, no compression artefacts), then MJPEG (what
  // most USB cameras need for 720p30), then whatever the driver offers.
  int rc = 0;
  for (const char* pixel_format : {"yuyv422", "mjpeg", static_cast<const char*>(nullptr)}) {
    AVFormatContext* ctx = avformat_alloc_context();
    if (!ctx) return Error{"camera: out of memory"};
    ctx->interrupt_callback = {&CameraSource::interrupt_requested, this};
    ctx->flags |= AVFMT_FLAG_NONBLOCK;
    AVDictionary* options = nullptr;
    av_dict_set(&options, "video_size", size.c_str(), 0);
    av_dict_set(&options, "framerate", rate.c_str(), 0);
    if (pixel_format) av_dict_set(&options, "input_format", pixel_format, 0);
    rc = avformat_open_input(&ctx, config_.device.c_str(), input, &options);  // frees ctx on failure
    av_dict_free(&options);
    if (rc >= 0) {
      format_.reset(ctx);
      input_format_ = pixel_format ? pixel_format : "driver default";
      return true;
    }
    if (is_device_error(rc)) break;
  }
  return Error{who + ": " + av_error_text(rc)};
}

Result<bool> CameraSource::open_decoder() {
  const std::string who = "camera " + config_.device;
  const AVCodec* codec = nullptr;
  stream_index_ = av_find_best_stream(format_.get(), AVMEDIA_TYPE_VIDEO, -1, -1, &codec, 0);
  if (stream_index_ < 0 || !codec) return Error{who + ": no decodable video stream"};
  decoder_.reset(avcodec_alloc_context3(codec));
  if (!decoder_) return Error{"camera: out of memory"};
  const AVStream* stream = format_->streams[stream_index_];
  if (avcodec_parameters_to_context(decoder_.get(), stream->codecpar) < 0 ||
      avcodec_open2(decoder_.get(), codec, nullptr) < 0) {
    return Error{who + ": cannot open the " + codec->name + " decoder"};
  }
  return true;
}

std::optional<VideoFrame> CameraSource::fail(const std::string& why) {
  error_ = "camera " + config_.device + ": " + why;
  return std::nullopt;
}

std::optional<VideoFrame> CameraSource::read() {
  while (!interrupted_) {
    const int rc = av_read_frame(format_.get(), packet_.get());
    if (rc == AVERROR(EAGAIN)) {
      std::this_thread::sleep_for(kPollPeriod);
      continue;
    }
    if (rc == AVERROR_EXIT) break;
    if (rc < 0) return fail(av_error_text(rc));
    const Instant captured = Clock::now();
    const bool ours = packet_->stream_index == stream_index_;
    const int sent = ours ? avcodec_send_packet(decoder_.get(), packet_.get()) : 0;
    av_packet_unref(packet_.get());
    if (!ours) continue;
    if (sent < 0 || avcodec_receive_frame(decoder_.get(), frame_.get()) < 0) {
      // Corrupt MJPEG happens on flaky USB links; skip the frame.
      ++bad_packets_;
      if (++consecutive_bad_ >= kMaxConsecutiveBadPackets) return fail("undecodable video");
      continue;
    }
    consecutive_bad_ = 0;
    auto converted = convert(*frame_);
    av_frame_unref(frame_.get());
    if (!converted) return converted;
    converted->capture_time = captured;
    return converted;
  }
  return std::nullopt;  // interrupted: not an error
}

std::optional<VideoFrame> CameraSource::convert(const AVFrame& frame) {
  bool full_range = false;
  const AVPixelFormat source = plain_format(static_cast<AVPixelFormat>(frame.format), full_range);
  if (frame.width <= 0 || frame.height <= 0 || frame.width > kMaxSide ||
      frame.height > kMaxSide || source == AV_PIX_FMT_NONE) {
    return fail("bad frame from device");
  }
  if (!sws_ || sws_key_[0] != frame.width || sws_key_[1] != frame.height || sws_key_[2] != source) {
    sws_.reset(sws_getContext(frame.width, frame.height, source, config_.width, config_.height,
                              AV_PIX_FMT_YUV420P, SWS_BILINEAR, nullptr, nullptr, nullptr));
    if (!sws_) {
      return fail(std::string("cannot convert from ") + av_get_pix_fmt_name(source));
    }
    // BT.601 both sides (what the encoder and the window assume); only the
    // input range differs between raw and MJPEG cameras.
    const int* bt601 = sws_getCoefficients(SWS_CS_ITU601);
    sws_setColorspaceDetails(sws_.get(), bt601, full_range ? 1 : 0, bt601, 0, 0, 1 << 16,
                             1 << 16);
    sws_key_[0] = frame.width;
    sws_key_[1] = frame.height;
    sws_key_[2] = source;
  }

  const int w = config_.width;
  const int h = config_.height;
  auto buffer = std::make_shared<std::vector<uint8_t>>(VideoFrame::buffer_size(w, h));
  uint8_t* planes[4] = {buffer->data(), buffer->data() + size_t(w) * h,
                        buffer->data() + size_t(w) * h + size_t(w / 2) * (h / 2), nullptr};
  int strides[4] = {w, w / 2, w / 2, 0};
  if (sws_scale(sws_.get(), frame.data, frame.linesize, 0, frame.height, planes, strides) != h) {
    return fail("conversion failed");
  }
  VideoFrame out;
  out.width = w;
  out.height = h;
  out.i420 = std::move(buffer);
  out.index = index_++;
  return out;
}

std::string CameraSource::describe() const {
  return "camera " + config_.device + " " + std::to_string(config_.width) + "x" +
         std::to_string(config_.height) + "@" + std::to_string(config_.fps) + " (" +
         input_format_ + ")";
}

}  // namespace peercall
