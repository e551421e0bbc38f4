#include "media/codec/video_scaler.hpp"

#include <cstring>

#include "media/codec/frame_fit.hpp"
#include "media/codec/i420_buffer.hpp"

namespace peercall {
namespace {
constexpr int kMaxDimension = 8192;

bool possible(int width, int height) {
  return width > 0 && height > 0 && width % 2 == 0 && height % 2 == 0 && width <= kMaxDimension &&
         height <= kMaxDimension;
}
}  // namespace

SwsContext* VideoScaler::context(int in_w, int in_h, int out_w, int out_h) {
  const SizePair key{in_w, in_h, out_w, out_h};
  auto it = contexts_.find(key);
  if (it == contexts_.end()) {
    SwsContextPtr ctx(sws_getContext(in_w, in_h, AV_PIX_FMT_YUV420P, out_w, out_h, AV_PIX_FMT_YUV420P,
                                     SWS_BILINEAR, nullptr, nullptr, nullptr));
    if (!ctx) return nullptr;
    if (contexts_.size() >= kMaxContexts) contexts_.clear();
    it = contexts_.emplace(key, std::move(ctx)).first;
  }
  return it->second.get();
}

VideoFrame VideoScaler::scale(const VideoFrame& in, int width, int height) {
  if (!is_complete_i420(in) || !possible(width, height)) return VideoFrame{};
  if (in.width == width && in.height == height) return in;
  SwsContext* ctx = context(in.width, in.height, width, height);
  if (!ctx) return VideoFrame{};
  const uint8_t* const src[3] = {in.y(), in.u(), in.v()};
  const int src_strides[3] = {in.width, in.width / 2, in.width / 2};
  I420Buffer out(width, height);
  auto planes = out.planes();
  auto strides = out.strides();
  sws_scale(ctx, src, src_strides, 0, in.height, planes.data(), strides.data());
  return std::move(out).freeze(in.capture_time, in.index);
}

VideoFrame VideoScaler::fit(const VideoFrame& in, int width, int height) {
  if (!is_complete_i420(in) || !possible(width, height)) return VideoFrame{};
  const FitRect r = fit_inside({in.width, in.height}, {width, height});
  if (r.width == width && r.height == height) return scale(in, width, height);
  if (r.width <= 0 || r.height <= 0) return VideoFrame{};
  I420Buffer out(width, height);
  // Black in limited-range BT.601: Y 16, U = V = 128.
  std::memset(out.y(), 16, size_t(width) * height);
  std::memset(out.u(), 128, size_t(width / 2) * (height / 2) * 2);  // U and V are adjacent
  SwsContext* ctx = context(in.width, in.height, r.width, r.height);
  if (!ctx) return VideoFrame{};
  const uint8_t* const src[3] = {in.y(), in.u(), in.v()};
  const int src_strides[3] = {in.width, in.width / 2, in.width / 2};
  // Scale straight into the rectangle: the planes offset, the full strides kept.
  uint8_t* const dst[3] = {out.y() + size_t(r.y) * out.stride_y() + r.x,
                           out.u() + size_t(r.y / 2) * out.stride_uv() + r.x / 2,
                           out.v() + size_t(r.y / 2) * out.stride_uv() + r.x / 2};
  const auto strides = out.strides();
  sws_scale(ctx, src, src_strides, 0, in.height, dst, strides.data());
  return std::move(out).freeze(in.capture_time, in.index);
}

}  // namespace peercall
