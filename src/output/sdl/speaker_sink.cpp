#include "output/sdl/speaker_sink.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstring>
#include <span>

#include "media/audio/echo_reference.hpp"

namespace peercall {

Result<std::unique_ptr<SpeakerSink>> SpeakerSink::open(const char* device,
                                                       AudioDeviceWatch::Config watch) {
  std::unique_ptr<SpeakerSink> sink(new SpeakerSink());
  if (device) sink->name_ = device;
  sink->watch_ = AudioDeviceWatch(watch);
  std::lock_guard lock(sink->device_mu_);
  auto opened = sink->open_device();
  if (!opened) return Error{opened.error()};
  return sink;
}

Result<Done> SpeakerSink::open_device() {
  auto opened = SdlAudioDevice::open("speaker", name_ ? name_->c_str() : nullptr,
                                     SdlAudioDevice::Direction::kPlayback, &SpeakerSink::on_pull,
                                     this);
  if (!opened) return Error{opened.error()};
  device_ = std::move(*opened);
  watch_.opened(Clock::now());
  device_->start();
  return Done{};
}

SpeakerSink::~SpeakerSink() { close(); }

void SpeakerSink::close() {
  {
    std::lock_guard lock(mu_);
    if (!closed_ && stats_.played_samples > 0) {
      const auto ms = [](uint64_t samples) { return double(samples) * 1000 / kAudioSampleRate; };
      spdlog::debug("speaker: played {:.0f} ms, trimmed {:.0f} ms, dropped {:.0f} ms, {} underruns; "
                    "standing queue {:.0f} ms (target {:.0f}), at most {:.0f} ms",
                    ms(stats_.played_samples), ms(stats_.trimmed_samples), ms(stats_.dropped_samples),
                    stats_.underruns, ms(trimmer_.standing_samples()), ms(trimmer_.target_samples()),
                    ms(stats_.max_buffered_samples));
    }
    closed_ = true;
    audible_ = false;
  }
  std::lock_guard lock(device_mu_);
  device_.reset();  // waits for a running callback
}

void SpeakerSink::set_gone(bool gone) {
  std::lock_guard lock(mu_);
  gone_ = gone;
  audible_ = !gone && !closed_;
  stats_.losses = watch_.losses();
  if (!gone) return;
  stats_.gone_samples += size_;  // what was waiting to be played is lost with the device
  head_ = size_ = 0;
  queued_samples_ = 0;
  trimmer_.reset();
  started_ = false;  // coming back, the first pulls find the ring empty: no underruns
}

void SpeakerSink::supervise(Instant now) {
  {
    std::lock_guard lock(mu_);
    if (closed_) return;
  }
  const char* name = name_ ? name_->c_str() : nullptr;
  const bool stopped = device_ && device_->stopped();
  const int64_t pulled = last_pull_us_.load(std::memory_order_relaxed);
  switch (watch_.step(now, stopped, pulled ? instant_from_micros(pulled) : Instant{})) {
    case AudioDeviceWatch::Action::kNone:
      return;
    case AudioDeviceWatch::Action::kGiveUp:
      device_.reset();  // joins SDL's audio thread (its callback takes mu_, not device_mu_)
      set_gone(true);
      spdlog::warn("{} is gone: received audio is not played until it is back",
                   SdlAudioDevice::who("speaker", name));
      return;
    case AudioDeviceWatch::Action::kReopen: {
      const Duration away = watch_.gone_for(now);
      if (auto opened = open_device(); !opened) {
        spdlog::debug("{}", std::string(opened.error()));
        watch_.reopen_failed(Clock::now());
        return;
      }
      uint64_t lost = 0;
      {
        std::lock_guard lock(mu_);
        lost = stats_.gone_samples;
      }
      set_gone(false);
      spdlog::info("{} is back after {:.1f} s ({:.1f} s of received audio not played so far)",
                   SdlAudioDevice::who("speaker", name), to_seconds(away),
                   double(lost) / kAudioSampleRate);
      return;
    }
  }
}

void SpeakerSink::on_audio(const AudioFrame& frame) {
  {
    std::lock_guard device_lock(device_mu_);
    supervise(Clock::now());
  }
  const size_t cap = ring_.size();
  std::span<const int16_t> samples(frame.samples);
  std::lock_guard lock(mu_);
  if (closed_) return;
  if (gone_) {
    stats_.gone_samples += samples.size();
    return;
  }
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
  queued_samples_.store(size_, std::memory_order_relaxed);
  stats_.max_buffered_samples = std::max(stats_.max_buffered_samples, size_);
}

void SpeakerSink::on_pull(void* self, Uint8* stream, int len) {
  const size_t count = len > 0 ? size_t(len) / sizeof(int16_t) : 0;
  auto* sink = static_cast<SpeakerSink*>(self);
  sink->last_pull_us_.store(to_micros(Clock::now()), std::memory_order_relaxed);
  sink->buffer_samples_.store(count, std::memory_order_relaxed);
  sink->pull(stream, count);
}

void SpeakerSink::copy_from_ring(int16_t* out, size_t count) const {
  const size_t cap = ring_.size();
  const size_t first = std::min(count, cap - head_);  // the ring may wrap once
  std::copy_n(ring_.begin() + head_, first, out);
  std::copy_n(ring_.begin(), count - first, out + first);
}

void SpeakerSink::pull(Uint8* out, size_t count) {
  std::lock_guard lock(mu_);
  const size_t queued = size_;
  // What is played goes into tap_ first (aligned), then to SDL's buffer
  // (byte copy: it need not be aligned for int16_t) and to the echo reference.
  tap_.resize(count);
  const size_t n = std::min(count, queued);
  size_t cut = 0;
  if (const size_t budget = started_ ? trimmer_.plan(queued, count) : 0; budget > 0) {
    // A standing queue: this pull consumes up to `budget` more than it plays.
    splice_.resize(count + budget);
    copy_from_ring(splice_.data(), splice_.size());
    cut = trimmer_.splice(splice_, tap_, budget);
  } else {
    copy_from_ring(tap_.data(), n);
    std::fill(tap_.begin() + n, tap_.end(), int16_t{0});  // underrun: silence
  }
  if (started_) trimmer_.pulled(queued, count, cut);
  const size_t consumed = n + cut;
  head_ = (head_ + consumed) % ring_.size();
  size_ -= consumed;
  queued_samples_.store(size_, std::memory_order_relaxed);
  stats_.played_samples += n;
  stats_.trimmed_samples += cut;
  if (n < count && started_) ++stats_.underruns;
  std::memcpy(out, tap_.data(), count * sizeof(int16_t));
  // Heard after the device's delay and the one it cannot see (--speaker-delay).
  if (echo_reference_) echo_reference_->push(tap_, Clock::now() + playout_delay(count) + extra_delay());
}

Duration SpeakerSink::playout_delay(size_t buffer_samples) {
  return std::chrono::duration_cast<Duration>(
      std::chrono::microseconds(int64_t(2 * buffer_samples) * 1'000'000 / kAudioSampleRate));
}

Duration SpeakerSink::queued_delay(size_t queued_samples, size_t buffer_samples, Duration since_pull) {
  const auto samples = [](size_t n) {
    return std::chrono::duration_cast<Duration>(
        std::chrono::microseconds(int64_t(n) * 1'000'000 / kAudioSampleRate));
  };
  const Duration buffer = samples(buffer_samples);
  // A pull overdue (or none yet): the next one is taken as due now.
  since_pull = std::clamp(since_pull, Duration{}, buffer);
  // Pulled at P, a buffer is heard from P + playout_delay; the next buffer,
  // where what is queued now begins, is pulled at P + buffer.
  return playout_delay(buffer_samples) + buffer - since_pull + samples(queued_samples);
}

Duration SpeakerSink::output_delay() const {
  if (!audible_.load(std::memory_order_relaxed)) return Duration{};  // gone: nothing is heard
  const size_t buffer = buffer_samples_.load(std::memory_order_relaxed);
  const int64_t pulled_us = last_pull_us_.load(std::memory_order_relaxed);
  const Duration since_pull = pulled_us ? Clock::now() - instant_from_micros(pulled_us) : Duration{};
  const Duration device = queued_delay(queued_samples_.load(std::memory_order_relaxed),
                                       buffer ? buffer : size_t(kAudioFrameSamples), since_pull);
  return device + extra_delay();
}

void SpeakerSink::set_extra_delay(Duration delay) {
  extra_delay_us_.store(std::max<int64_t>(0, to_micros(delay)), std::memory_order_relaxed);
}

void SpeakerSink::set_echo_reference(std::shared_ptr<EchoReference> reference) {
  std::lock_guard lock(mu_);
  echo_reference_ = std::move(reference);
}

SpeakerSink::Stats SpeakerSink::stats() const {
  std::lock_guard lock(mu_);
  Stats s = stats_;
  s.buffered_samples = size_;
  s.standing_samples = trimmer_.standing_samples();
  s.target_samples = trimmer_.target_samples();
  s.gone = gone_;
  return s;
}

}  // namespace peercall
