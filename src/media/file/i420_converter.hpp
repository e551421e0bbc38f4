#pragma once
// Turns decoded pictures of any pixel format and size into tight I420 of one
// fixed size (what files give us is whatever their author chose).
#include <string>

#include "media/codec/i420_buffer.hpp"
#include "media/ffmpeg/ffmpeg_ptr.hpp"

namespace peercall {

class I420Converter {
 public:
  I420Converter(int width, int height) : width_(width), height_(height) {}

  // Fills out (of width() x height()). False, with error(), if this picture
  // cannot be converted.
  bool convert(const AVFrame& in, I420Buffer& out);

  int width() const { return width_; }
  int height() const { return height_; }
  const std::string& error() const { return error_; }

 private:
  int width_;
  int height_;
  SwsContextPtr sws_;
  std::string error_;
};

}  // namespace peercall
