#pragma once
// Options every media command shares, as the user typed them, with defaults.
#include <string>

namespace peercall {

inline constexpr uint16_t kDefaultPort = 5004;  // RTP's registered port; TCP for signalling, UDP for media

struct MediaOptions {
  std::string video = "auto";  // auto | camera[:DEV] | test | FILE | - | none
  std::string audio = "auto";  // auto | mic[:NAME] | tone | FILE | none
  int width = 1280;
  int height = 720;
  int fps = 30;
  int bitrate_kbps = 1500;
  bool loop = false;
  std::string view = "auto";       // auto | window | none
  std::string speaker = "default";  // default | NAME | none
  std::string record;              // FILE.mkv
  std::string video_out;           // FILE.y4m | -
  std::string audio_out;           // FILE.wav | -
  std::string stats_file;          // JSON lines
  double duration_s = 0;           // 0: until hang-up
  std::string bind = "::";
  uint16_t port = kDefaultPort;
  std::string label;               // prefix for status lines (the demo names its peers)
  bool quiet = false;
};

}  // namespace peercall
