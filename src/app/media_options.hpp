#pragma once
// Options every media command shares, as the user typed them, with defaults.
#include <cstdint>
#include <string>
#include <vector>

namespace peercall {

inline constexpr uint16_t kDefaultPort = 5004;  // TCP: HTTPS signalling; media goes over ICE-chosen UDP ports

struct MediaOptions {
  std::string video = "auto";  // auto | camera[:DEV] | test | FILE | - | none
  std::string audio = "auto";  // auto | mic[:NAME] | tone | FILE | none
  int width = 1280;
  int height = 720;
  int fps = 30;
  int bitrate_kbps = 1500;
  bool loop = false;
  // Microphone clean-up (webrtc-audio-processing); echo cancellation needs a speaker too.
  bool aec = true;  // --no-aec
  bool ns = true;   // --no-ns
  bool agc = true;  // --no-agc
  bool fec = true;  // --no-fec: no video FEC offered or answered
  std::string view = "auto";       // auto | window | none
  std::string speaker = "default";  // default | NAME | none
  int speaker_delay_ms = 0;         // what the speaker adds unseen (Bluetooth), for lip sync
  std::string record;              // FILE.mkv
  std::string video_out;           // FILE.y4m | -
  std::string audio_out;           // FILE.wav | -
  std::string stats_file;          // JSON lines
  double duration_s = 0;           // 0: until hang-up
  double give_up_s = 15;           // a silent peer is waited for this long, then the call ends
  int layers = 2;                  // stream: encodings (simulcast) for viewers of different links
  std::string bind = "::";
  uint16_t port = kDefaultPort;
  std::string label;               // prefix for status lines (the demo names its peers)
  bool quiet = false;

  // Privacy and the network path.
  std::string invite;               // listen/stream: a fixed invitation code (else a fresh one)
  std::string accept = "invited";   // listen/stream: invited | ask | any (see app/admission.hpp)
  std::string name;                 // the other side's name in known_peers
  std::string expect_fingerprint;   // call/watch: refuse any other peer ("sha-256 AB:...")
  std::string stun;                 // HOST:PORT of a STUN server
  std::vector<std::string> turn;    // turn:USER:PASS@HOST:PORT[?transport=tcp]
  bool relay_only = false;          // only relayed ICE candidates (hides our addresses)
  std::string config_dir;           // "" = $XDG_CONFIG_HOME/peercall
};

}  // namespace peercall
