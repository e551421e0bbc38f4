#include "output/sdl/speaker_sink.hpp"

#include <algorithm>
#include <cstring>
#include <span>

#include "media/audio/echo_reference.hpp"

namespace peercall {

Result<std::unique_ptr<SpeakerSink>> SpeakerSink::open(const char* device) {
  std::unique_ptr<SpeakerSink> sink(new SpeakerSink());
  auto opened = SdlAudioDevice::open("speaker", device, SdlAudioDevice::Direction::kPlayback,
                                     &SpeakerSink::on_pull, sink.get());
  if (!opened) return Error{opened.error()};
  sink->device_ = std::move(*opened);
  sink->device_->start();
  return sink;
}

SpeakerSink::~SpeakerSink() { close(); }

void SpeakerSink::close() {
  {
    std::lock_guard lock(mu_);
    closed_ = true;
  }
  device_.reset();  // waits for a running callback
}

void SpeakerSink::on_audio(const AudioFrame& frame) {
  const size_t cap = ring_.size();
  std::span<const int16_t> samples(frame.samples);
  std::lock_guard lock(mu_);
  if (closed_) return;
  started_ = true;
  if (samples.size() > cap) {  // a frame longer than the ring: keep its newest part
    stats_.dropped_samples += samples.size() - cap;
    samples = samples.last(cap);
  }
  if (size_ + samples.size() > cap) {
    const size_t drop = size_ + samples.size() - cap;
    head_ = (head_ + drop) % cap;
    size_ -= drop;
    stats_.dropped_samples += drop;
  }
  const size_t tail = (head_ + size_) % cap;
  const size_t first = std::min(samples.size(), cap - tail);  // the ring may wrap once
  std::copy_n(samples.begin(), first, ring_.begin() + tail);
  std::copy(samples.begin() + first, samples.end(), ring_.begin());
  size_ += samples.size();
  stats_.max_buffered_samples = std::max(stats_.max_buffered_samples, size_);
}

void SpeakerSink::on_pull(void* self, Uint8* stream, int len) {
  const size_t count = len > 0 ? size_t(len) / sizeof(int16_t) : 0;
  static_cast<SpeakerSink*>(self)->pull(stream, count);
}

void SpeakerSink::pull(Uint8* out, size_t count) {
  // Byte copies: SDL's buffer need not be aligned for int16_t.
  std::lock_guard lock(mu_);
  const size_t cap = ring_.size();
  const size_t n = std::min(count, size_);
  const size_t first = std::min(n, cap - head_);  // the ring may wrap once
  std::memcpy(out, ring_.data() + head_, first * sizeof(int16_t));
  std::memcpy(out + first * sizeof(int16_t), ring_.data(), (n - first) * sizeof(int16_t));
  std::memset(out + n * sizeof(int16_t), 0, (count - n) * sizeof(int16_t));  // underrun: silence
  head_ = (head_ + n) % cap;
  size_ -= n;
  stats_.played_samples += n;
  if (n < count && started_) ++stats_.underruns;
  if (echo_reference_) {
    tap_.resize(count);
    std::memcpy(tap_.data(), out, count * sizeof(int16_t));
    echo_reference_->push(tap_, Clock::now() + playout_delay(count));
  }
}

Duration SpeakerSink::playout_delay(size_t buffer_samples) {
  return std::chrono::duration_cast<Duration>(
      std::chrono::microseconds(int64_t(2 * buffer_samples) * 1'000'000 / kAudioSampleRate));
}

void SpeakerSink::set_echo_reference(std::shared_ptr<EchoReference> reference) {
  std::lock_guard lock(mu_);
  echo_reference_ = std::move(reference);
}

SpeakerSink::Stats SpeakerSink::stats() const {
  std::lock_guard lock(mu_);
  Stats s = stats_;
  s.buffered_samples = size_;
  return s;
}

}  // namespace peercall
