#pragma once
// The camera: a V4L2 device read through libavdevice, decoded if the device
// sends MJPEG, and converted with swscale to tight I420 at the requested size.
// The capture thread owns it and blocks in read().
#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "media/ffmpeg/ffmpeg_ptr.hpp"
#include "media/video_source.hpp"

namespace peercall {

struct CameraConfig {
  std::string device = "/dev/video0";
  int width = 640;  // asked of the device, and the output size (even)
  int height = 480;
  int fps = 30;
  // libavdevice input format. Tests use "lavfi" with a filter graph as `device`
  // to exercise the same read/decode/convert path without a camera.
  std::string driver = "v4l2";
};

class CameraSource final : public VideoSource {
 public:
  // Error e.g. "camera /dev/video0: No such file or directory".
  static Result<std::unique_ptr<CameraSource>> open(const CameraConfig& config);
  ~CameraSource() override;

  // Blocks until the device delivers a frame; capture_time = now at read.
  std::optional<VideoFrame> read() override;
  void interrupt() override { interrupted_ = true; }
  std::string describe() const override;
  std::string error() const override { return error_; }
  // Packets the decoder rejected (corrupt MJPEG), skipped rather than fatal.
  uint64_t bad_packets() const { return bad_packets_; }

 private:

  explicit CameraSource(const CameraConfig& config) : config_(config) {}
  static int interrupt_requested(void* self);
  Result<bool> open_input();
  Result<bool> open_decoder();
  std::optional<VideoFrame> convert(const AVFrame& frame);
  std::optional<VideoFrame> fail(const std::string& why);

  CameraConfig config_;
  std::atomic<bool> interrupted_{false};
  InputFormatPtr format_;
  CodecContextPtr decoder_;
  PacketPtr packet_;
  FramePtr frame_;
  SwsContextPtr sws_;
  int sws_key_[3] = {-1, -1, -1};  // source width, height, pixel format of sws_
  int stream_index_ = -1;
  std::string input_format_;  // what the device was opened with, for describe()
  std::string error_;
  uint64_t index_ = 0;
  uint64_t bad_packets_ = 0;
  uint64_t consecutive_bad_ = 0;
};

}  // namespace peercall
