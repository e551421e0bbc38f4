#include "media/audio/audio_processor.hpp"

#include <webrtc/modules/audio_processing/include/audio_processing.h>

#include <algorithm>
#include <string>

namespace peercall {
namespace {

constexpr float kScale = 32768.0f;

webrtc::StreamConfig mono48k() { return webrtc::StreamConfig(AudioProcessor::kSampleRate, 1); }

std::string failed(const char* what, int code) {
  return std::string("audio processing: ") + what + " failed (" + std::to_string(code) + ")";
}

}  // namespace

AudioProcessor::AudioProcessor(const AudioProcessingConfig& config, webrtc::AudioProcessing* apm)
    : config_(config), apm_(apm), scratch_(kFrameSamples) {}

AudioProcessor::~AudioProcessor() = default;

Result<std::unique_ptr<AudioProcessor>> AudioProcessor::create(const AudioProcessingConfig& config) {
  webrtc::Config extra;
  // The extended filter covers a longer echo tail (laptop rooms, server-side
  // buffering), and delay-agnostic mode finds the echo's delay itself, so an
  // estimate that is off by a buffer or two (SDL cannot tell us exactly) costs
  // nothing.
  extra.Set<webrtc::ExtendedFilter>(new webrtc::ExtendedFilter(true));
  extra.Set<webrtc::DelayAgnostic>(new webrtc::DelayAgnostic(true));
  // The "experimental" AGC drives an analog mixer level we do not control.
  extra.Set<webrtc::ExperimentalAgc>(new webrtc::ExperimentalAgc(false));
  webrtc::AudioProcessing* raw = webrtc::AudioProcessing::Create(extra);
  if (!raw) return Error{"audio processing: the library could not be created"};
  std::unique_ptr<AudioProcessor> p(new AudioProcessor(config, raw));
  webrtc::AudioProcessing& apm = *p->apm_;

  webrtc::ProcessingConfig streams;
  for (auto& s : streams.streams) s = mono48k();
  if (int rc = apm.Initialize(streams); rc != 0) return Error{failed("init", rc)};

  // Removes DC and rumble, which would otherwise eat the gain control's headroom.
  if (int rc = apm.high_pass_filter()->Enable(true); rc != 0) return Error{failed("high-pass filter", rc)};

  if (config.noise_suppression) {
    if (int rc = apm.noise_suppression()->set_level(webrtc::NoiseSuppression::kHigh); rc != 0)
      return Error{failed("noise suppression level", rc)};
    if (int rc = apm.noise_suppression()->Enable(true); rc != 0) return Error{failed("noise suppression", rc)};
  }
  if (config.gain_control) {
    webrtc::GainControl& agc = *apm.gain_control();
    // Digital only: we have no say over the device's analog gain.
    if (int rc = agc.set_mode(webrtc::GainControl::kAdaptiveDigital); rc != 0)
      return Error{failed("gain control mode", rc)};
    agc.set_target_level_dbfs(3);
    agc.set_compression_gain_db(9);
    agc.enable_limiter(true);
    if (int rc = agc.Enable(true); rc != 0) return Error{failed("gain control", rc)};
  }
  webrtc::EchoCancellation& aec = *apm.echo_cancellation();
  // Low: ERLE is still > 20 dB on speech, and in double talk the near end
  // loses ~4-5 dB instead of ~8 dB (moderate); see audio_processor_test.
  aec.set_suppression_level(webrtc::EchoCancellation::kLowSuppression);
  aec.enable_metrics(true);
  aec.enable_delay_logging(true);
  p->set_echo_cancellation(config.echo_cancellation);
  return p;
}

void AudioProcessor::set_echo_cancellation(bool on) {
  apm_->echo_cancellation()->Enable(on);
}

void AudioProcessor::to_float(std::span<const int16_t> in) {
  const size_t n = std::min(in.size(), kFrameSamples);
  for (size_t i = 0; i < n; ++i) scratch_[i] = float(in[i]) / kScale;
  std::fill(scratch_.begin() + n, scratch_.end(), 0.0f);
}

void AudioProcessor::analyze_far(std::span<const int16_t> frame) {
  if (!apm_->echo_cancellation()->is_enabled()) return;
  to_float(frame);
  const float* channels[] = {scratch_.data()};
  if (apm_->AnalyzeReverseStream(channels, kFrameSamples, kSampleRate,
                                 webrtc::AudioProcessing::kMono) != 0)
    ++stats_.errors;
  ++stats_.far_frames;
}

void AudioProcessor::process_near(std::span<int16_t> frame, int delay_ms) {
  if (frame.size() != kFrameSamples) {
    ++stats_.errors;
    return;
  }
  to_float(frame);
  const int delay = std::clamp(delay_ms, 0, kMaxDelayMs);
  stats_.reported_delay_ms = delay;
  // Required before every frame while the canceller runs; harmless otherwise.
  apm_->set_stream_delay_ms(delay);
  float* channels[] = {scratch_.data()};
  const int rc = apm_->ProcessStream(channels, mono48k(), mono48k(), channels);
  ++stats_.near_frames;
  // A warning (e.g. kBadStreamParameterWarning) still processed the frame.
  if (rc != 0 && rc != webrtc::AudioProcessing::kBadStreamParameterWarning) {
    ++stats_.errors;
    return;
  }
  for (size_t i = 0; i < kFrameSamples; ++i) {
    const float v = std::clamp(scratch_[i] * kScale, -32768.0f, 32767.0f);
    frame[i] = static_cast<int16_t>(v >= 0 ? v + 0.5f : v - 0.5f);
  }
}

AudioProcessor::Stats AudioProcessor::stats() {
  webrtc::EchoCancellation& aec = *apm_->echo_cancellation();
  if (aec.is_enabled()) {
    webrtc::EchoCancellation::Metrics m{};
    if (aec.GetMetrics(&m) == 0) stats_.erle_db = m.echo_return_loss_enhancement.average;
    int median = -1, spread = -1;
    float poor = 0;
    if (aec.GetDelayMetrics(&median, &spread, &poor) == 0) stats_.estimated_delay_ms = median;
  }
  return stats_;
}

}  // namespace peercall
