#pragma once
// Helpers for the file tests: a temp dir, the ffmpeg/ffprobe CLIs, stdio
// redirected to pipes, and media encoded in-process.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/bytes.hpp"
#include "media/frames.hpp"

namespace peercall::test {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string path(const std::string& name) const { return (dir_ / name).string(); }

 private:
  std::filesystem::path dir_;
};

// Runs `ffmpeg -y -loglevel error <args>`; true on success.
bool ffmpeg(const std::string& args);
// Runs a shell command and returns its stdout.
std::string shell(const std::string& command);
// What ffprobe (one run, -count_frames: every packet demuxed and decoded) sees.
struct ProbedStream {
  std::string codec_name;
  int width = 0;
  int height = 0;
  int sample_rate = 0;
  int channels = 0;
  long frames = -1;  // nb_read_frames
  std::string frame_rate;
};
struct Probed {
  std::vector<ProbedStream> video;
  std::vector<ProbedStream> audio;
  double duration = -1;  // the container's, -1 if unknown
};
Probed probe(const std::string& path);
Bytes read_file(const std::string& path);

// A test pattern that differs per index, so frames can be told apart.
VideoFrame pattern_frame(int width, int height, uint64_t index);

// Replaces fd 0 or 1 with a pipe end while alive; the other end is ours.
class StdioPipe {
 public:
  explicit StdioPipe(int stdio_fd);
  ~StdioPipe();
  int our_end() const { return ours_; }
  void close_our_end();
  // Puts the original stdin/stdout back (the pipe stays open for whoever dup'ed it).
  void restore();

 private:
  int stdio_fd_;
  int saved_ = -1;
  int ours_ = -1;
};
// Reads a descriptor until EOF.
Bytes read_all(int fd);
bool write_all(int fd, ByteView data);

// 320x240 (or other) H.264 access units from libx264, Annex B, SPS/PPS with
// every keyframe, keyframe every `gop` frames; capture_time = base + i/fps.
std::vector<EncodedFrame> encode_h264(int frames, int width, int height, int fps, int gop, Instant base);
// 20 ms mono Opus packets of a 1 kHz tone; capture_time = base + i*20ms.
std::vector<EncodedFrame> encode_opus(int packets, Instant base);

// Sign changes in a signal: 2 per period of a tone.
int zero_crossings(const std::vector<int16_t>& samples);

}  // namespace peercall::test
