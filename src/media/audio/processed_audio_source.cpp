#include "media/audio/processed_audio_source.hpp"

#include <spdlog/spdlog.h>

#include <chrono>

namespace peercall {
namespace {

constexpr Duration kHalf = milliseconds(10);
constexpr uint64_t kLogEveryFrames = 500;  // 10 s of 20 ms frames

}  // namespace

ProcessedAudioSource::ProcessedAudioSource(std::unique_ptr<AudioSource> inner,
                                           std::unique_ptr<AudioProcessor> processor,
                                           std::shared_ptr<EchoReference> reference)
    : inner_(std::move(inner)), processor_(std::move(processor)), reference_(std::move(reference)) {
  // Without a reference the canceller would only see silence as the far end.
  processor_->set_echo_cancellation(false);
}

ProcessedAudioSource::~ProcessedAudioSource() {
  if (frames_ > 0) log_stats();
}

std::optional<AudioFrame> ProcessedAudioSource::read() {
  auto frame = inner_->read();
  if (!frame) return frame;
  std::span<int16_t> samples(frame->samples);
  Instant captured = frame->capture_time;
  // A frame that is not a whole number of 10 ms halves keeps its tail as is.
  while (samples.size() >= AudioProcessor::kFrameSamples) {
    process_half(samples.first(AudioProcessor::kFrameSamples), captured);
    samples = samples.subspan(AudioProcessor::kFrameSamples);
    captured += kHalf;
  }
  if (++frames_ % kLogEveryFrames == 0) log_stats();
  return frame;
}

void ProcessedAudioSource::process_half(std::span<int16_t> half, Instant captured) {
  if (processor_->config().echo_cancellation && reference_) {
    if (!cancelling_ && reference_->active()) {
      processor_->set_echo_cancellation(true);
      cancelling_ = true;
    }
    if (cancelling_) {
      // All the far end played since the last half, oldest first.
      while (auto far = reference_->pop(AudioProcessor::kFrameSamples)) {
        processor_->analyze_far(far->samples);
        last_far_play_time_ = far->play_time;
        have_far_ = true;
      }
    }
  }
  int delay_ms = 0;
  if (have_far_)
    delay_ms = int(std::chrono::duration_cast<milliseconds>(last_far_play_time_ - captured).count());
  processor_->process_near(half, delay_ms);
}

void ProcessedAudioSource::log_stats() {
  const auto s = processor_->stats();
  if (cancelling_)
    spdlog::debug("audio processing: echo delay {} ms told, {} ms found; ERLE {} dB; {} errors",
                  s.reported_delay_ms, s.estimated_delay_ms, s.erle_db, s.errors);
  else
    spdlog::debug("audio processing: {} frames, no echo reference; {} errors", s.near_frames, s.errors);
}

std::string ProcessedAudioSource::describe() const {
  const auto& c = processor_->config();
  std::string what;
  auto add = [&what](bool on, const char* name) {
    if (!on) return;
    what += what.empty() ? ", " : " + ";
    what += name;
  };
  add(c.echo_cancellation && reference_, "echo cancellation");
  add(c.noise_suppression, "noise suppression");
  add(c.gain_control, "gain control");
  return inner_->describe() + what;
}

}  // namespace peercall
