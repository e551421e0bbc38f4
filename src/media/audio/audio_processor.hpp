#pragma once
// Echo cancellation, noise suppression and automatic gain control for the
// microphone, with Debian's webrtc-audio-processing (0.3, the classic
// webrtc::AudioProcessing). Works on 10 ms frames of 48 kHz mono s16, the
// pipeline's own format, so nothing is resampled.
//
// Sans-I/O: no clock, no thread. The caller feeds the far end (what the
// speaker plays) with analyze_far() and the near end (the microphone) with
// process_near(), on one thread, telling it how late the echo arrives.
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "core/result.hpp"

namespace webrtc {
class AudioProcessing;
}

namespace peercall {

struct AudioProcessingConfig {
  bool echo_cancellation = true;
  bool noise_suppression = true;
  bool gain_control = true;
};

class AudioProcessor {
 public:
  static constexpr int kSampleRate = 48000;
  static constexpr size_t kFrameSamples = 480;  // 10 ms: the library's only chunk size
  static constexpr int kMaxDelayMs = 500;       // the library's range for the stream delay

  struct Stats {
    uint64_t near_frames = 0;
    uint64_t far_frames = 0;
    uint64_t errors = 0;         // frames the library refused (the frame passes unprocessed)
    int reported_delay_ms = -1;  // last delay given to process_near()
    // From the echo canceller, once it has seen enough (else -1 / -100).
    int estimated_delay_ms = -1;  // median of its own delay estimate
    int erle_db = -100;           // its echo return loss enhancement, long-term average
  };

  // Error if the library cannot be set up (e.g. "audio processing: init failed (-7)").
  static Result<std::unique_ptr<AudioProcessor>> create(const AudioProcessingConfig& config);
  ~AudioProcessor();
  AudioProcessor(const AudioProcessor&) = delete;
  AudioProcessor& operator=(const AudioProcessor&) = delete;

  const AudioProcessingConfig& config() const { return config_; }
  // Turns the echo canceller on or off mid-stream (e.g. once a speaker plays).
  void set_echo_cancellation(bool on);

  // One 10 ms frame the speaker played. Ignored when echo cancellation is off.
  void analyze_far(std::span<const int16_t> frame);
  // One 10 ms microphone frame, processed in place. `delay_ms`: the library's
  // "stream delay" = (when the far frame given last to analyze_far() is played)
  // minus (when this frame was captured), for far frames fed just before this
  // call. Clamped to [0, kMaxDelayMs]; the canceller refines it on its own.
  void process_near(std::span<int16_t> frame, int delay_ms);

  // Updates the echo canceller's figures (a little work: call about once a second).
  Stats stats();

 private:
  AudioProcessor(const AudioProcessingConfig& config, webrtc::AudioProcessing* apm);
  void to_float(std::span<const int16_t> in);

  AudioProcessingConfig config_;
  std::unique_ptr<webrtc::AudioProcessing> apm_;
  std::vector<float> scratch_;
  Stats stats_;
};

}  // namespace peercall
