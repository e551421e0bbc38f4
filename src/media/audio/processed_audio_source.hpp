#pragma once
// A microphone heard through AudioProcessor: each 20 ms frame is cleaned in
// two 10 ms halves on the reader's thread (the send pipeline's), after the
// far-end audio the speaker has played since the last frame has been given to
// the echo canceller. The echo's delay is told from the two timestamps: when
// the newest far frame is heard minus when the near half was captured.
#include <memory>
#include <optional>
#include <string>

#include "media/audio/audio_processor.hpp"
#include "media/audio/echo_reference.hpp"
#include "media/audio_source.hpp"

namespace peercall {

class ProcessedAudioSource final : public AudioSource {
 public:
  // `reference` nullptr: no speaker, nothing to cancel (noise suppression and
  // gain control only). The echo canceller starts once the speaker plays.
  ProcessedAudioSource(std::unique_ptr<AudioSource> inner, std::unique_ptr<AudioProcessor> processor,
                       std::shared_ptr<EchoReference> reference);
  ~ProcessedAudioSource() override;

  std::optional<AudioFrame> read() override;
  void interrupt() override { inner_->interrupt(); }
  bool suspend() override { return inner_->suspend(); }
  // "microphone default, echo cancellation + noise suppression + gain control"
  std::string describe() const override;
  std::string error() const override { return inner_->error(); }

  // Reader thread only (the processor is not shared).
  AudioProcessor::Stats stats() { return processor_->stats(); }

 private:
  void process_half(std::span<int16_t> half, Instant captured);
  void log_stats();

  std::unique_ptr<AudioSource> inner_;
  std::unique_ptr<AudioProcessor> processor_;
  std::shared_ptr<EchoReference> reference_;
  bool cancelling_ = false;       // the canceller has been switched on
  bool have_far_ = false;
  Instant last_far_play_time_{};  // when the far frame given last is heard
  uint64_t frames_ = 0;
};

}  // namespace peercall
