#pragma once
// A minimal YUV4MPEG2 (4:2:0) reader for the test and benchmark tools: reads
// frame by frame from a file or a pipe, so arrival times can be taken live.
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "media/frames.hpp"

namespace peercall::tools {

class Y4mReader {
 public:
  explicit Y4mReader(FILE* in) : in_(in) {}

  // Parses the stream header; false if it is not y4m.
  bool read_header() {
    std::string line;
    if (!read_line(line) || line.rfind("YUV4MPEG2", 0) != 0) return false;
    for (size_t pos = 0; (pos = line.find(' ', pos)) != std::string::npos; ++pos) {
      if (line[pos + 1] == 'W') width_ = std::atoi(line.c_str() + pos + 2);
      if (line[pos + 1] == 'H') height_ = std::atoi(line.c_str() + pos + 2);
      if (line[pos + 1] == 'F') {
        int num = 0, den = 0;
        if (std::sscanf(line.c_str() + pos + 2, "%d:%d", &num, &den) == 2 && num > 0 && den > 0)
          frame_rate_ = double(num) / den;
      }
    }
    return width_ > 0 && height_ > 0;
  }

  std::optional<VideoFrame> next() {
    std::string line;
    if (!read_line(line) || line.rfind("FRAME", 0) != 0) return std::nullopt;
    auto buf = std::make_shared<std::vector<uint8_t>>(VideoFrame::buffer_size(width_, height_));
    if (std::fread(buf->data(), 1, buf->size(), in_) != buf->size()) return std::nullopt;
    VideoFrame f;
    f.width = width_;
    f.height = height_;
    f.i420 = std::move(buf);
    return f;
  }

  int width() const { return width_; }
  int height() const { return height_; }
  double frame_rate() const { return frame_rate_; }  // from the header's F, 0 if absent

 private:
  bool read_line(std::string& line) {
    line.clear();
    for (int c; (c = std::fgetc(in_)) != EOF;) {
      if (c == '\n') return true;
      if (line.size() > 4096) return false;
      line.push_back(char(c));
    }
    return false;
  }

  FILE* in_;
  int width_ = 0, height_ = 0;
  double frame_rate_ = 0;
};

}  // namespace peercall::tools
