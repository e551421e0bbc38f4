#include "media/synthetic/tone.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <vector>

namespace peercall {
namespace {

constexpr int kFadeSamples = kAudioSampleRate * 5 / 1000;
constexpr int kBeepSamples = kAudioSampleRate * kBeepDurationMs / 1000;
constexpr int kPeriodSamples = kAudioSampleRate * kBeepPeriodMs / 1000;
constexpr double kFullScale = 32768.0;
constexpr double kFloorDbfs = -120.0;

constexpr double kMinToneDbfs = -50.0;
constexpr double kMaxBelowLoudestDb = 14.0;
constexpr double kMinTonalFraction = 0.5;
constexpr int kBlockMs = 10;
constexpr int kMergeGapBlocks = 100 / kBlockMs;
constexpr int kMinBeepBlocks = 50 / kBlockMs;

double amplitude_dbfs(double amplitude) {
  return amplitude > 0 ? std::max(kFloorDbfs, 20 * std::log10(amplitude / kFullScale)) : kFloorDbfs;
}

struct Block {
  double amplitude;  // of the tone-frequency component
  double power;      // mean square of the block
};

// Goertzel: the amplitude of the `freq` component of x, for any (non-bin) freq.
Block measure(std::span<const int16_t> x, double freq, int rate) {
  const double w = 2 * std::numbers::pi * freq / rate;
  const double coeff = 2 * std::cos(w);
  double s1 = 0, s2 = 0, power = 0;
  for (int16_t v : x) {
    double s0 = v + coeff * s1 - s2;
    s2 = s1;
    s1 = s0;
    power += double(v) * v;
  }
  double re = s1 - s2 * std::cos(w), im = s2 * std::sin(w);
  double n = static_cast<double>(x.size());
  return {2 * std::sqrt(re * re + im * im) / n, power / n};
}

struct Run {
  size_t begin, end;  // block indices, end exclusive
};

}  // namespace

AudioFrame render_tone_frame(uint64_t frame_index) {
  const double peak = kFullScale * std::pow(10.0, kToneLevelDbfs / 20);
  const double w = 2 * std::numbers::pi * kToneFrequencyHz / kAudioSampleRate;
  AudioFrame frame;
  frame.samples.resize(kAudioFrameSamples);
  const uint64_t first = frame_index * kAudioFrameSamples;
  for (int k = 0; k < kAudioFrameSamples; ++k) {
    const int pos = static_cast<int>((first + k) % kPeriodSamples);
    if (pos >= kBeepSamples) continue;  // silence
    const int edge = std::min(pos, kBeepSamples - 1 - pos);
    const double gain = edge < kFadeSamples ? 0.5 - 0.5 * std::cos(std::numbers::pi * edge / kFadeSamples) : 1.0;
    frame.samples[k] = static_cast<int16_t>(std::lround(peak * gain * std::sin(w * pos)));
  }
  return frame;
}

ToneAnalysis analyze_tone(std::span<const int16_t> samples, int sample_rate) {
  ToneAnalysis out;
  const size_t block = sample_rate >= 100 ? static_cast<size_t>(sample_rate) * kBlockMs / 1000 : 0;
  if (block == 0 || samples.size() < block) return out;

  std::vector<Block> blocks;
  for (size_t at = 0; at + block <= samples.size(); at += block)
    blocks.push_back(measure(samples.subspan(at, block), kToneFrequencyHz, sample_rate));

  auto tonal = [](const Block& b) { return b.power > 0 && b.amplitude * b.amplitude / 2 >= kMinTonalFraction * b.power; };
  double loudest = 0;
  for (const Block& b : blocks)
    if (tonal(b)) loudest = std::max(loudest, b.amplitude);
  const double min_amplitude = std::max(kFullScale * std::pow(10.0, kMinToneDbfs / 20),
                                        loudest * std::pow(10.0, -kMaxBelowLoudestDb / 20));
  std::vector<bool> on(blocks.size());
  for (size_t i = 0; i < blocks.size(); ++i) on[i] = tonal(blocks[i]) && blocks[i].amplitude >= min_amplitude;

  // Runs of tone, bridging short gaps (lost or concealed frames).
  std::vector<Run> runs;
  for (size_t i = 0; i < on.size(); ++i) {
    if (!on[i]) continue;
    if (!runs.empty() && i - runs.back().end <= static_cast<size_t>(kMergeGapBlocks)) runs.back().end = i + 1;
    else runs.push_back({i, i + 1});
  }
  std::erase_if(runs, [](const Run& r) { return r.end - r.begin < static_cast<size_t>(kMinBeepBlocks); });
  out.beeps_detected = static_cast<int>(runs.size());

  // Period: onsets of runs that begin inside the buffer (not cut at block 0).
  std::vector<double> intervals;
  for (size_t i = 1; i < runs.size(); ++i)
    if (runs[i - 1].begin > 0) intervals.push_back(double(runs[i].begin - runs[i - 1].begin) * kBlockMs);
  if (!intervals.empty()) {
    std::vector<double> sorted = intervals;
    std::nth_element(sorted.begin(), sorted.begin() + sorted.size() / 2, sorted.end());
    const double median = sorted[sorted.size() / 2];
    double sum = 0;
    int n = 0;
    for (double v : intervals)
      if (std::abs(v - median) <= 0.2 * median) sum += v, ++n;
    out.beep_period_ms = sum / n;
  }

  // Levels: beep interiors (no fades), and silence at least 20 ms from tone.
  double tone_power = 0, silence_power = 0;
  int tone_blocks = 0, silence_blocks = 0;
  for (const Run& r : runs)
    for (size_t i = r.begin + 1; i + 1 < r.end; ++i)
      if (on[i]) tone_power += blocks[i].amplitude * blocks[i].amplitude, ++tone_blocks;
  for (size_t i = 0; i < blocks.size(); ++i) {
    bool near_tone = false;
    for (size_t j = i > 2 ? i - 2 : 0; j <= std::min(blocks.size() - 1, i + 2); ++j) near_tone |= on[j];
    if (!near_tone) silence_power += blocks[i].power, ++silence_blocks;
  }
  if (tone_blocks) out.tone_level_dbfs = amplitude_dbfs(std::sqrt(tone_power / tone_blocks));
  // An RMS r is the level of a sine with amplitude r * sqrt(2).
  if (silence_blocks) out.silence_level_dbfs = amplitude_dbfs(std::sqrt(2 * silence_power / silence_blocks));
  return out;
}

ToneSource::ToneSource() : pacer_(kAudioSampleRate / kAudioFrameSamples) {}

std::optional<AudioFrame> ToneSource::read() {
  auto tick = pacer_.wait_next();
  if (!tick) return std::nullopt;
  AudioFrame frame = render_tone_frame(tick->index);
  frame.capture_time = tick->time;
  return frame;
}

void ToneSource::interrupt() { pacer_.interrupt(); }

std::string ToneSource::describe() const { return "test tone 880 Hz"; }

}  // namespace peercall
