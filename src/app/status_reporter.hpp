#pragma once
// Once a second: a status line (fps and bitrate each way, loss, RTT, latency),
// the same as a JSON line for --stats, and lines for the window's overlay.
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "app/latency_tracker.hpp"
#include "core/time.hpp"

namespace peercall {

// Running totals at one instant; the reporter turns two into rates.
struct StatusTotals {
  Instant at{};
  uint64_t frames_out = 0;
  uint64_t bytes_out = 0;  // RTP payload, audio + video
  uint64_t frames_in = 0;  // decoded pictures
  uint64_t bytes_in = 0;
  uint64_t packets_in = 0;
  int64_t packets_lost_in = 0;
  uint64_t frames_lost_in = 0;
  uint64_t audio_concealed = 0;
  uint64_t frames_skipped = 0;  // dropped between stages that fell behind
  uint64_t audio_too_late = 0;
  uint64_t malformed = 0;
  std::optional<Duration> rtt;
  std::optional<Duration> first_picture;  // from call set-up to the first decoded picture
  int peers = 0;
  int peers_quiet = 0;  // links that went quiet (nothing heard for a few seconds): waited for
  uint64_t rejected = 0;  // SRTP that failed authentication or replayed, RTCP from strangers
  std::string sas;
  // Congestion control, FEC and the audio jitter buffer.
  int bwe_kbps = 0, video_target_kbps = 0;
  // Simulcast (a stream): encodings in use, the second one's rate, viewers on
  // it, moves between them, frames withheld from one viewer (fanout/).
  int video_layers = 1, second_layer_kbps = 0, viewers_on_second_layer = 0;
  uint64_t layer_switches = 0, frames_withheld = 0;
  double pacer_delay_ms = 0;
  double standing_queue_ms = 0;  // on the path, from the feedback (worst link)
  uint64_t video_pauses = 0;     // collapses that paused the video
  uint64_t fec_sent = 0, fec_recovered = 0, audio_fec_recovered = 0, audio_late = 0;
  int audio_buffer_ms = 0, audio_target_ms = 0;
  uint64_t freezes = 0;
  int64_t longest_freeze_ms = 0;
  std::optional<double> av_offset_ms;  // lip sync: + = the sound is ahead of the picture
  int av_sync_video_hold_ms = 0, av_sync_audio_min_ms = 0;  // its correction (one of them is 0)
  double audio_concealed_pct = 0;
  // Chat lines and both sides' mute / camera state (data channel).
  uint64_t chat_sent = 0, chat_received = 0, chat_refused = 0, chat_dropped_in = 0;
  bool audio_muted = false, video_off = false, remote_audio_muted = false, remote_video_off = false;
  // Loss recovery: NACKs each way, packets resent, packets repaired and given up.
  uint64_t nacks_sent = 0, nacks_received = 0, retransmitted = 0, recovered = 0, unrecovered = 0;
  uint64_t superseded = 0;  // video a keyframe made useless, dropped unsent (a gap the receiver sees)
  uint64_t keyframe_requests_sent = 0, keyframe_requests_received = 0;        // the short authentication string of the (first) peer, "" before connected
};

class StatusReporter {
 public:
  // stats_path: "" for none. print: whether to write the status line to stderr.
  StatusReporter(std::string label, const std::string& stats_path, bool print);
  ~StatusReporter();
  bool stats_file_ok() const { return !stats_path_given_ || stats_file_ != nullptr; }

  // Returns the overlay lines.
  std::vector<std::string> report(const StatusTotals& now, const LatencySummary& latency);
  // Ends the status line (a terminal's overwritten line needs a newline).
  void finish();

 private:
  std::string label_;
  bool stats_path_given_;
  FILE* stats_file_ = nullptr;
  bool print_;
  bool tty_;
  bool line_open_ = false;
  Instant start_{};
  std::optional<StatusTotals> previous_;
};

}  // namespace peercall
