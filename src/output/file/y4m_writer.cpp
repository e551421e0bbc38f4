#include "output/file/y4m_writer.hpp"

#include <string_view>

#include "media/codec/i420_buffer.hpp"

namespace peercall {
namespace {

ByteView as_bytes(std::string_view s) { return {reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }

}  // namespace

Result<std::unique_ptr<Y4mWriter>> Y4mWriter::open(const std::string& path_or_dash, int fps,
                                                   size_t max_queued_frames) {
  if (fps <= 0 || fps > 1000) return Error{"y4m output: fps must be between 1 and 1000"};
  auto out = OutputFile::open(path_or_dash, "y4m output");
  if (!out) return Error{out.error()};
  return std::unique_ptr<Y4mWriter>(new Y4mWriter(std::move(*out), fps, max_queued_frames));
}

Y4mWriter::Y4mWriter(std::unique_ptr<OutputFile> out, int fps, size_t max_queued_frames)
    : out_(std::move(out)), fps_(fps), queue_(max_queued_frames), thread_([this] { run(); }) {}

Y4mWriter::~Y4mWriter() { close(); }

void Y4mWriter::on_video(const VideoFrame& frame) {
  if (!is_complete_i420(frame) || !queue_.push(frame)) ++rejected_;
}

void Y4mWriter::close() {
  queue_.close();
  if (thread_.joinable()) thread_.join();
  out_->close();
}

std::string Y4mWriter::error() const {
  std::lock_guard lock(error_mu_);
  return error_;
}

void Y4mWriter::run() {
  while (auto frame = queue_.pop()) {
    if (!out_->is_open() || !write_frame(*frame)) ++rejected_;
  }
}

bool Y4mWriter::write_frame(const VideoFrame& frame) {
  std::string header;
  if (width_ == 0) {
    width_ = frame.width;
    height_ = frame.height;
    // C420jpeg is what FFmpeg writes for yuv420p; A1:1 = square pixels.
    header = "YUV4MPEG2 W" + std::to_string(width_) + " H" + std::to_string(height_) + " F" +
             std::to_string(fps_) + ":1 Ip A1:1 C420jpeg\n";
  }
  const VideoFrame picture = scaler_.scale(frame, width_, height_);  // the same frame if the size matches
  if (picture.empty()) return false;
  const ByteView pixels(picture.i420->data(), VideoFrame::buffer_size(width_, height_));
  if (out_->write({as_bytes(header), as_bytes("FRAME\n"), pixels})) {
    ++written_;
    return true;
  }
  std::lock_guard lock(error_mu_);
  error_ = out_->error();
  return false;
}

}  // namespace peercall
