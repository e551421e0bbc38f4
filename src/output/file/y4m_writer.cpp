#include "output/file/y4m_writer.hpp"

#include <algorithm>
#include <cmath>
#include <string_view>

#include "media/codec/i420_buffer.hpp"

namespace peercall {
namespace {

ByteView as_bytes(std::string_view s) { return {reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }

// Whole rates only: a few frames' jitter cannot tell 29.97 from 30 (0.1%), and
// writing 30 for an NTSC source drifts by one frame in 33 s of playback.
constexpr FrameRate kCommonRates[] = {{24, 1}, {25, 1}, {30, 1}, {50, 1}, {60, 1}, {15, 1}, {10, 1},
                                      {12, 1}, {20, 1}, {5, 1},  {48, 1}, {120, 1}};

}  // namespace

FrameRate estimate_frame_rate(const std::vector<int64_t>& t, FrameRate fallback) {
  std::vector<int64_t> intervals;
  for (size_t i = 1; i < t.size(); ++i) {
    if (t[i] > t[i - 1]) intervals.push_back(t[i] - t[i - 1]);
  }
  if (intervals.empty()) return fallback;
  std::nth_element(intervals.begin(), intervals.begin() + std::ptrdiff_t(intervals.size() / 2), intervals.end());
  // The median interval says how many frame times the whole span holds (a
  // lost frame is two); the span itself averages the jitter out.
  const double median = double(intervals[intervals.size() / 2]);
  const double span = double(t.back() - t.front());
  const double frames = std::max(1.0, std::round(span / median));
  const double fps = span > 0 ? frames * 1e6 / span : 1e6 / median;
  // The nearest common rate within 6% (24 and 25 are 4% apart), if any.
  auto common = [](double f) -> const FrameRate* {
    const FrameRate* best = nullptr;
    double best_error = 0.06;
    for (const FrameRate& r : kCommonRates) {
      const double error = std::abs(f / (double(r.num) / r.den) - 1);
      if (error < best_error) {
        best_error = error;
        best = &r;
      }
    }
    return best;
  };
  if (const FrameRate* r = common(fps)) return *r;
  // Over a few frames one capture late by a few ms (a loaded sender) moves the
  // span's average by more than that: the median interval is not moved by it.
  if (const FrameRate* r = common(1e6 / median)) return *r;
  return {std::clamp(int(std::lround(fps)), 1, 1000), 1};
}

Result<std::unique_ptr<Y4mWriter>> Y4mWriter::open(const std::string& path_or_dash, int fps,
                                                   size_t max_queued_frames) {
  if (fps < 0 || fps > 1000) return Error{"y4m output: fps must be between 1 and 1000"};
  auto out = OutputFile::open(path_or_dash, "y4m output");
  if (!out) return Error{out.error()};
  return std::unique_ptr<Y4mWriter>(new Y4mWriter(std::move(*out), fps > 0 ? fps : 30, max_queued_frames));
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
    if (!header_written_) {
      first_frames_.push_back(std::move(*frame));
      if (first_frames_.size() < kRateFrames) continue;
      write_header();
      continue;
    }
    if (!out_->is_open() || !write_frame(*frame)) ++rejected_;
  }
  if (!header_written_ && !first_frames_.empty()) write_header();  // fewer frames than kRateFrames
}

bool Y4mWriter::write_header() {
  header_written_ = true;
  std::vector<int64_t> times;
  for (const VideoFrame& f : first_frames_) times.push_back(to_micros(f.capture_time));
  const FrameRate rate = estimate_frame_rate(times, {fps_, 1});
  width_ = first_frames_.front().width;
  height_ = first_frames_.front().height;
  // C420jpeg is what FFmpeg writes for yuv420p; A1:1 = square pixels.
  const std::string header = "YUV4MPEG2 W" + std::to_string(width_) + " H" + std::to_string(height_) + " F" +
                             std::to_string(rate.num) + ":" + std::to_string(rate.den) + " Ip A1:1 C420jpeg\n";
  const bool was_open = out_->is_open();
  const bool ok = was_open && out_->write({as_bytes(header)});
  if (was_open && !ok) {
    OutputFailure failure{out_->error(), out_->reader_left()};
    {
      std::lock_guard lock(error_mu_);
      error_ = failure.message;
    }
    report_output_failure(on_failure_, failure);
  }
  for (const VideoFrame& f : first_frames_) {
    if (!ok || !write_frame(f)) ++rejected_;
  }
  first_frames_.clear();
  return ok;
}

bool Y4mWriter::write_frame(const VideoFrame& frame) {
  const VideoFrame picture = scaler_.fit(frame, width_, height_);  // the same frame if the size matches
  if (picture.empty()) return false;
  const ByteView pixels(picture.i420->data(), VideoFrame::buffer_size(width_, height_));
  if (out_->write({as_bytes("FRAME\n"), pixels})) {
    ++written_;
    return true;
  }
  OutputFailure failure{out_->error(), out_->reader_left()};
  {
    std::lock_guard lock(error_mu_);
    error_ = failure.message;
  }
  report_output_failure(on_failure_, failure);
  return false;
}

}  // namespace peercall
