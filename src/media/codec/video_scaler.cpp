#include "media/codec/video_scaler.hpp"

#include "media/codec/i420_buffer.hpp"

namespace peercall {
namespace {
constexpr int kMaxDimension = 8192;
}

VideoFrame VideoScaler::scale(const VideoFrame& in, int width, int height) {
  if (!is_complete_i420(in)) return VideoFrame{};
  if (width <= 0 || height <= 0 || width % 2 || height % 2 || width > kMaxDimension ||
      height > kMaxDimension)
    return VideoFrame{};
  if (in.width == width && in.height == height) return in;

  const SizePair key{in.width, in.height, width, height};
  auto it = contexts_.find(key);
  if (it == contexts_.end()) {
    SwsContextPtr ctx(sws_getContext(in.width, in.height, AV_PIX_FMT_YUV420P, width, height,
                                     AV_PIX_FMT_YUV420P, SWS_BILINEAR, nullptr, nullptr,
                                     nullptr));
    if (!ctx) return VideoFrame{};
    if (contexts_.size() >= kMaxContexts) contexts_.clear();
    it = contexts_.emplace(key, std::move(ctx)).first;
  }

  const uint8_t* const src[3] = {in.y(), in.u(), in.v()};
  const int src_strides[3] = {in.width, in.width / 2, in.width / 2};
  I420Buffer out(width, height);
  auto planes = out.planes();
  auto strides = out.strides();
  sws_scale(it->second.get(), src, src_strides, 0, in.height, planes.data(), strides.data());
  return std::move(out).freeze(in.capture_time, in.index);
}

}  // namespace peercall
