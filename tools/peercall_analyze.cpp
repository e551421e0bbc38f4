// peercall-analyze: measures what a peer received, for the end-to-end tests
// and the benchmark. Prints one JSON object.
//
//   video FILE|-  [--fps N] [--live]
//       Reads y4m, finds each frame's stamp, re-renders the sent test-pattern
//       frame from it and computes PSNR-Y; counts frames, order and gaps.
//       --live (for a pipe): also takes latency = arrival time - capture time.
//   audio FILE.wav
//       Looks for the test tone's beeps.
//   find WxH SCREENSHOT.y4m
//       Finds a stamped WxH test-pattern picture inside a screenshot.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include <sys/resource.h>
#include <unistd.h>

#include <thread>

#include "core/bounded_queue.hpp"
#include "media/synthetic/frame_stamp.hpp"
#include "media/synthetic/test_pattern.hpp"
#include "media/synthetic/tone.hpp"
#include "y4m_reader.hpp"

using namespace peercall;

namespace {

double psnr_y(const VideoFrame& a, const VideoFrame& b) {
  const size_t n = size_t(a.width) * a.height;
  double sse = 0;
  const uint8_t* pa = a.y();
  const uint8_t* pb = b.y();
  for (size_t i = 0; i < n; ++i) {
    const int d = int(pa[i]) - int(pb[i]);
    sse += d * d;
  }
  if (sse == 0) return 99.0;
  return 10.0 * std::log10(255.0 * 255.0 * double(n) / sse);
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, size_t(p / 100.0 * double(v.size())))];
}

double mean(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x;
  return v.empty() ? 0 : s / double(v.size());
}

int analyze_video(const char* path, int fps, bool live) {
  FILE* in = std::strcmp(path, "-") == 0 ? stdin : std::fopen(path, "rb");
  if (!in) {
    std::fprintf(stderr, "peercall-analyze: cannot open %s\n", path);
    return 1;
  }
  tools::Y4mReader reader(in);
  if (!reader.read_header()) {
    std::fprintf(stderr, "peercall-analyze: %s is not y4m\n", path);
    return 1;
  }
  uint64_t frames = 0, stamped = 0, in_order = 0, repeated = 0, gaps = 0, missing = 0;
  std::optional<uint32_t> first, last;
  std::vector<double> psnr, latency_ms;
  // Frames are timed as they arrive, on this thread; comparing them with the
  // sent pictures is slower and runs on another, so it cannot delay the
  // reading of the next frame (which would inflate the latency measured).
  struct Stamped {
    VideoFrame frame;
    FrameStamp stamp;
  };
  BoundedQueue<Stamped> to_compare(1024);
  std::thread comparer([&] {
    // Lowest priority: the comparison only uses CPU the pipelines leave idle,
    // so it does not disturb the latency it is helping to measure.
    setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), 19);
    while (auto item = to_compare.pop()) {
      const VideoFrame reference =
          render_test_frame(item->frame.width, item->frame.height, item->stamp.frame_number, fps,
                            instant_from_micros(item->stamp.capture_time_us));
      psnr.push_back(psnr_y(item->frame, reference));
    }
  });
  while (auto frame = reader.next()) {
    const int64_t arrival_us = to_micros(Clock::now());
    ++frames;
    auto stamp = read_stamp(frame->y(), frame->width, frame->width, frame->height, arrival_us);
    if (!stamp) continue;
    ++stamped;
    if (live) latency_ms.push_back((arrival_us - stamp->capture_time_us) / 1000.0);
    if (!first) first = stamp->frame_number;
    if (last) {
      if (stamp->frame_number == *last) {
        ++repeated;
        continue;
      }
      if (stamp->frame_number > *last) {
        ++in_order;
        if (stamp->frame_number != *last + 1) {
          ++gaps;
          missing += stamp->frame_number - *last - 1;
        }
      }
    } else {
      ++in_order;
    }
    last = stamp->frame_number;
    to_compare.push(Stamped{std::move(*frame), *stamp});
  }
  to_compare.close();
  comparer.join();
  const uint64_t unique = stamped - repeated;
  nlohmann::json j = {
      {"frames", frames},
      {"stamped", stamped},
      {"unique", unique},
      {"in_order_fraction", unique ? double(in_order) / double(unique) : 0.0},
      {"gaps", gaps},
      {"missing", missing},
      {"first", first ? int64_t(*first) : -1},
      {"last", last ? int64_t(*last) : -1},
      {"width", reader.width()},
      {"height", reader.height()},
      {"psnr_y_mean", mean(psnr)},
      {"psnr_y_min", psnr.empty() ? 0.0 : *std::min_element(psnr.begin(), psnr.end())},
      // The dips (keyframes squeezed into the VBV) show here, not in the mean.
      {"psnr_y_p5", percentile(psnr, 5)},
      {"frame_rate", reader.frame_rate()},
  };
  if (live) {
    j["latency_ms_p50"] = percentile(latency_ms, 50);
    j["latency_ms_p95"] = percentile(latency_ms, 95);
  }
  std::printf("%s\n", j.dump().c_str());
  return 0;
}

// Looks for a WxH picture carrying a stamp anywhere inside a larger image
// (a screenshot), and compares it with the test-pattern frame it names.
int find_picture(const char* path, int width, int height, int fps) {
  FILE* in = std::fopen(path, "rb");
  tools::Y4mReader reader(in ? in : stdin);
  std::optional<VideoFrame> shot;
  if (!in || !reader.read_header() || !(shot = reader.next())) {
    std::fprintf(stderr, "peercall-analyze: cannot read %s as y4m\n", path);
    return 1;
  }
  const int64_t now_us = to_micros(Clock::now());
  auto picture_at = [&](int x, int y) {
    auto buf = std::make_shared<std::vector<uint8_t>>(VideoFrame::buffer_size(width, height), 128);
    const uint8_t* origin = shot->y() + size_t(y) * shot->width + x;
    for (int row = 0; row < height; ++row)
      std::memcpy(buf->data() + size_t(row) * width, origin + size_t(row) * shot->width, width);
    VideoFrame picture;
    picture.width = width;
    picture.height = height;
    picture.i420 = buf;
    return picture;
  };
  nlohmann::json j = {{"found", false}};
  // The stamp reads a few pixels off its true position too: find the first
  // position it reads at, then the offset nearby that matches the picture best.
  for (int y = 0; y + height <= shot->height && !j["found"]; ++y) {
    for (int x = 0; x + width <= shot->width; ++x) {
      const uint8_t* origin = shot->y() + size_t(y) * shot->width + x;
      auto stamp = read_stamp(origin, shot->width, width, height, now_us);
      if (!stamp) continue;
      const VideoFrame reference = render_test_frame(width, height, stamp->frame_number, fps,
                                                     instant_from_micros(stamp->capture_time_us));
      double best = -1;
      int best_x = x, best_y = y;
      for (int dy = 0; dy <= 16 && y + dy + height <= shot->height; ++dy)
        for (int dx = -16; dx <= 16; ++dx) {
          if (x + dx < 0 || x + dx + width > shot->width) continue;
          const double p = psnr_y(picture_at(x + dx, y + dy), reference);
          if (p > best) best = p, best_x = x + dx, best_y = y + dy;
        }
      j = {{"found", true}, {"x", best_x}, {"y", best_y}, {"frame", stamp->frame_number},
           {"psnr_y", best}};
      break;
    }
  }
  std::printf("%s\n", j.dump().c_str());
  return 0;
}

int analyze_audio(const char* path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (bytes.size() < 44 || std::memcmp(bytes.data(), "RIFF", 4) != 0) {
    std::fprintf(stderr, "peercall-analyze: %s is not a wav file\n", path);
    return 1;
  }
  // Find the "data" chunk (ours is at 36, but be general).
  size_t pos = 12, data = 0, size = 0;
  while (pos + 8 <= bytes.size()) {
    uint32_t len;
    std::memcpy(&len, &bytes[pos + 4], 4);
    if (std::memcmp(&bytes[pos], "data", 4) == 0) {
      data = pos + 8;
      size = std::min<size_t>(len, bytes.size() - data);
      break;
    }
    pos += 8 + len + (len & 1);
  }
  std::vector<int16_t> samples(size / 2);
  if (!samples.empty()) std::memcpy(samples.data(), &bytes[data], samples.size() * 2);
  const ToneAnalysis a = analyze_tone(samples);
  nlohmann::json j = {{"seconds", samples.size() / double(kAudioSampleRate)},
                      {"beeps", a.beeps_detected},
                      {"period_ms", a.beep_period_ms},
                      {"tone_dbfs", a.tone_level_dbfs},
                      {"silence_dbfs", a.silence_level_dbfs}};
  std::printf("%s\n", j.dump().c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 3 && std::strcmp(argv[1], "video") == 0) {
    int fps = 30;
    bool live = false;
    for (int i = 3; i < argc; ++i) {
      if (std::strcmp(argv[i], "--fps") == 0 && i + 1 < argc) fps = std::atoi(argv[++i]);
      if (std::strcmp(argv[i], "--live") == 0) live = true;
    }
    return analyze_video(argv[2], fps, live);
  }
  if (argc == 3 && std::strcmp(argv[1], "audio") == 0) return analyze_audio(argv[2]);
  int w = 0, h = 0;
  if (argc == 4 && std::strcmp(argv[1], "find") == 0 && std::sscanf(argv[2], "%dx%d", &w, &h) == 2)
    return find_picture(argv[3], w, h, 30);
  std::fprintf(stderr, "usage: peercall-analyze video FILE.y4m|- [--fps N] [--live]\n"
                       "       peercall-analyze audio FILE.wav\n"
                       "       peercall-analyze find WxH SCREENSHOT.y4m\n");
  return 2;
}
