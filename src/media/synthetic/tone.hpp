#pragma once
// The headless twin of a microphone: a machine-readable beep pattern, and the
// analyser that lets end-to-end tests assert "the tone is heard".
//
// Pattern: an 880 Hz sine at -12 dBFS (peak 8231; 0 dBFS = full-scale sine)
// for 200 ms, then 300 ms of silence, repeating every 500 ms from sample 0.
// Each beep starts at phase 0 with 5 ms raised-cosine fades so it does not
// click; within a beep the phase is continuous across 20 ms frames.
#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "media/audio_source.hpp"
#include "media/frames.hpp"
#include "media/synthetic/frame_pacer.hpp"

namespace peercall {

inline constexpr double kToneFrequencyHz = 880.0;
inline constexpr int kBeepDurationMs = 200;
inline constexpr int kBeepPeriodMs = 500;
inline constexpr double kToneLevelDbfs = -12.0;

// Frame `frame_index` (20 ms, kAudioFrameSamples at kAudioSampleRate) of the
// pattern; capture_time is left for the caller.
AudioFrame render_tone_frame(uint64_t frame_index);

struct ToneAnalysis {
  int beeps_detected = 0;
  double beep_period_ms = 0;             // 0 if fewer than two clean onsets
  double tone_level_dbfs = -120;         // beep level (full-scale sine = 0 dBFS)
  double silence_level_dbfs = -120;      // RMS between beeps, same reference
};

// Goertzel at kToneFrequencyHz over 10 ms blocks. A block is "tone" when the
// 880 Hz component is at least -50 dBFS, within 14 dB of the loudest one and
// carries most of the block's energy (so broadband noise never counts). Runs
// of tone blocks separated by up to 100 ms (lost frames) are merged; runs of
// at least 50 ms are beeps. The period is the mean of the onset intervals
// within 20% of their median, so a constant delay, a shifted onset or a
// missed beep does not bias it.
ToneAnalysis analyze_tone(std::span<const int16_t> samples, int sample_rate = kAudioSampleRate);

// Emulates a microphone: read() returns render_tone_frame(i) every 20 ms,
// stamped with its release time; interruptible like TestPatternSource.
class ToneSource : public AudioSource {
 public:
  ToneSource();
  std::optional<AudioFrame> read() override;
  void interrupt() override;
  std::string describe() const override;  // "test tone 880 Hz"

 private:
  FramePacer pacer_;
};

}  // namespace peercall
