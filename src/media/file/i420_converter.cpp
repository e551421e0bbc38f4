#include "media/file/i420_converter.hpp"

extern "C" {
#include <libavutil/imgutils.h>
#include <libavutil/pixdesc.h>
}

namespace peercall {

bool I420Converter::convert(const AVFrame& in, I420Buffer& out) {
  auto planes = out.planes();
  auto strides = out.strides();
  if (in.format == AV_PIX_FMT_YUV420P && in.width == width_ && in.height == height_) {
    for (int p = 0; p < 3; ++p) {
      const int w = p ? width_ / 2 : width_;
      const int h = p ? height_ / 2 : height_;
      av_image_copy_plane(planes[size_t(p)], strides[size_t(p)], in.data[p], in.linesize[p], w, h);
    }
    return true;
  }
  // Cached: only rebuilt when the input format or size changes mid-stream.
  sws_.reset(sws_getCachedContext(sws_.release(), in.width, in.height, AVPixelFormat(in.format), width_, height_,
                                  AV_PIX_FMT_YUV420P, SWS_BICUBIC, nullptr, nullptr, nullptr));
  if (!sws_) {
    const char* name = av_get_pix_fmt_name(AVPixelFormat(in.format));
    error_ = std::string("cannot convert ") + (name ? name : "unknown pixel format") + " " +
             std::to_string(in.width) + "x" + std::to_string(in.height) + " to I420";
    return false;
  }
  sws_scale(sws_.get(), in.data, in.linesize, 0, in.height, planes.data(), strides.data());
  return true;
}

}  // namespace peercall
