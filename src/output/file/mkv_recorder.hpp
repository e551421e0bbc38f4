#pragma once
// Records the received compressed streams (H.264 + Opus) into Matroska as they
// are, without re-encoding. Timestamps are the frames' capture times relative
// to the first written frame, in ms for both tracks, so audio and video stay in
// sync. Clusters are closed every second and flushed to the file at once, so a
// file copied or left behind by a killed process plays up to its last second;
// close() adds the index and the duration.
//
// The H.264 track needs SPS/PPS before the header can be written: video before
// the first keyframe (with SPS/PPS in-band) is dropped, and audio is held back
// meanwhile (up to kMaxEarlyAudio packets, older ones dropped) so the recording
// starts with the sound just before the picture. If no keyframe ever arrives,
// close() writes the held-back audio as an audio-only file.
//
// Not thread-safe: libavformat muxers must be driven from one thread.
#include <cstdint>
#include <deque>
#include <memory>
#include <string>

#include "core/bytes.hpp"
#include "core/result.hpp"
#include "media/ffmpeg/ffmpeg_ptr.hpp"
#include "media/frames.hpp"
#include "output/file/output_file.hpp"

namespace peercall {

class MkvRecorder {
 public:
  static constexpr size_t kMaxEarlyAudio = 50;  // 1 s of 20 ms packets
  static constexpr int kClusterMs = 1000;
  static constexpr int kOpusPreSkip = 312;  // samples, what libopus reports at 48 kHz

  struct Stats {
    uint64_t video_frames = 0;
    uint64_t audio_packets = 0;
    uint64_t dropped = 0;  // before the first keyframe, malformed, or after a write error
  };

  // Creates the file at once, so a bad path fails here:
  // "recording 'x.mkv': Permission denied".
  static Result<std::unique_ptr<MkvRecorder>> open(const std::string& path, bool has_video, bool has_audio);
  ~MkvRecorder();
  MkvRecorder(const MkvRecorder&) = delete;
  MkvRecorder& operator=(const MkvRecorder&) = delete;

  // One whole H.264 access unit in Annex B (no B-frames: pts = dts).
  void write_video(const EncodedFrame& h264_access_unit_annexb);
  // One Opus packet, 48 kHz mono.
  void write_audio(const EncodedFrame& opus_packet);
  // Writes the trailer (index, duration) and closes the file. Idempotent.
  void close();

  const Stats& stats() const { return stats_; }
  // Why writing stopped, if it did.
  const std::string& error() const { return error_; }
  // Told once when writing fails (the thread that writes, or close()'s).
  void on_failure(OutputFailureHandler handler) { on_failure_ = std::move(handler); }

 private:
  MkvRecorder(std::string path, bool has_video, bool has_audio);
  // Creates the tracks and writes the header. keyframe == nullptr: no video track.
  bool start(const EncodedFrame* keyframe);
  bool add_video_track(const Bytes& parameter_sets_annexb, int width, int height);
  bool add_audio_track();
  void write_audio_packet(const EncodedFrame& packet);
  // A track's clock: anchored at its first frame's capture time, then
  // advanced by RTP time, so timestamps are as regular as the sender's clock
  // even while the receiver's mapping of capture times is still settling.
  struct TrackClock {
    explicit TrackClock(int rate) : rate(rate) {}
    int rate;
    bool anchored = false;
    Instant anchor{};
    uint32_t last_rtp = 0;
    int64_t rtp_since_anchor = 0;
    int64_t last_ms = -1;
  };
  bool write_packet(AVStream* stream, const EncodedFrame& frame, int64_t duration_ms, TrackClock& clock);
  void fail(const std::string& what, int err);

  std::string path_;
  bool has_video_;
  bool has_audio_;
  OutputFormatPtr ctx_;
  PacketPtr packet_;
  AVStream* video_ = nullptr;
  AVStream* audio_ = nullptr;
  bool started_ = false;
  bool failed_ = false;
  bool closed_ = false;
  std::deque<EncodedFrame> early_audio_;
  Instant origin_{};
  TrackClock video_clock_{kVideoClockRate};
  TrackClock audio_clock_{kAudioSampleRate};
  Stats stats_;
  std::string error_;
  OutputFailureHandler on_failure_;
};

}  // namespace peercall
