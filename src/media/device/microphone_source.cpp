#include "media/device/microphone_source.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstring>

namespace peercall {

namespace {
constexpr Duration kFrameDuration = milliseconds(1000 * kAudioFrameSamples / kAudioSampleRate);
// How often a read() waiting for the device looks whether it is still there.
constexpr Duration kPollInterval = milliseconds(100);
// Silence later than this (the reader was away) restarts the pace from now
// instead of catching up in a burst.
constexpr Duration kMaxSilenceLag = milliseconds(100);

Instant from_micros(int64_t us) { return us ? instant_from_micros(us) : Instant{}; }
}  // namespace

MicrophoneSource::MicrophoneSource() { partial_.reserve(kAudioFrameSamples); }

MicrophoneSource::~MicrophoneSource() {
  queue_.close();
  device_.reset();  // stops the callback before the members it uses go away
}

Result<std::unique_ptr<MicrophoneSource>> MicrophoneSource::open(const char* device,
                                                                 AudioDeviceWatch::Config watch) {
  std::unique_ptr<MicrophoneSource> mic(new MicrophoneSource());
  if (device) mic->name_ = device;
  mic->watch_ = AudioDeviceWatch(watch);
  auto opened = mic->open_device();
  if (!opened) return Error{opened.error()};
  mic->describe_ = "microphone " + mic->device_->name();
  return mic;
}

Result<std::unique_ptr<MicrophoneSource>> MicrophoneSource::open_or_wait(
    const char* device, AudioDeviceWatch::Config watch) {
  std::unique_ptr<MicrophoneSource> mic(new MicrophoneSource());
  if (device) mic->name_ = device;
  mic->watch_ = AudioDeviceWatch(watch);
  mic->describe_ = "microphone " + std::string(device ? device : "default");
  if (!mic->audio_.ok()) {
    return Error{SdlAudioDevice::who("microphone", device) + ": no audio system (" + SDL_GetError() + ")"};
  }
  if (auto opened = mic->open_device(); !opened) {
    const Instant now = Clock::now();
    mic->watch_.opened(now);
    (void)mic->watch_.step(now, true, Instant{});  // gone from the start
    mic->next_silence_ = now;
    spdlog::debug("{}", std::string(opened.error()));
    spdlog::warn("{} is not there: sending silence until it is back",
                 SdlAudioDevice::who("microphone", device));
  }
  return mic;
}

Result<Done> MicrophoneSource::open_device() {
  partial_.clear();  // no device is open: the audio thread is not running
  auto opened = SdlAudioDevice::open("microphone", name_ ? name_->c_str() : nullptr,
                                     SdlAudioDevice::Direction::kCapture,
                                     &MicrophoneSource::on_samples, this);
  if (!opened) return Error{opened.error()};
  device_ = std::move(*opened);
  watch_.opened(Clock::now());
  device_->start();
  return Done{};
}

void MicrophoneSource::on_samples(void* self, Uint8* stream, int len) {
  const size_t samples = len > 0 ? size_t(len) / sizeof(int16_t) : 0;
  auto* mic = static_cast<MicrophoneSource*>(self);
  mic->last_samples_us_.store(to_micros(Clock::now()), std::memory_order_relaxed);
  mic->append(stream, samples);
}

void MicrophoneSource::append(const Uint8* bytes, size_t count) {
  while (count > 0) {
    const size_t have = partial_.size();
    const size_t n = std::min(count, size_t(kAudioFrameSamples) - have);
    partial_.resize(have + n);
    std::memcpy(partial_.data() + have, bytes, n * sizeof(int16_t));  // bytes may be unaligned
    bytes += n * sizeof(int16_t);
    count -= n;
    if (partial_.size() == size_t(kAudioFrameSamples)) {
      // The frame's first sample was captured about one frame before now.
      queue_.push(AudioFrame{std::move(partial_), Clock::now() - kFrameDuration});
      partial_ = {};
      partial_.reserve(kAudioFrameSamples);
    }
  }
}

void MicrophoneSource::supervise(Instant now) {
  const char* name = name_ ? name_->c_str() : nullptr;
  const bool stopped = device_ && device_->stopped();
  switch (watch_.step(now, stopped, from_micros(last_samples_us_.load(std::memory_order_relaxed)))) {
    case AudioDeviceWatch::Action::kNone:
      return;
    case AudioDeviceWatch::Action::kGiveUp:
      device_.reset();  // joins SDL's audio thread: no callback runs after this
      next_silence_ = now;
      spdlog::warn("{} is gone: sending silence until it is back",
                   SdlAudioDevice::who("microphone", name));
      return;
    case AudioDeviceWatch::Action::kReopen: {
      const Duration away = watch_.gone_for(now);
      if (auto opened = open_device(); !opened) {
        spdlog::debug("{}", std::string(opened.error()));
        watch_.reopen_failed(Clock::now());
        return;
      }
      spdlog::info("{} is back after {:.1f} s", SdlAudioDevice::who("microphone", name),
                   to_seconds(away));
      return;
    }
  }
}

std::optional<AudioFrame> MicrophoneSource::silence() {
  const Instant now = Clock::now();
  if (now - next_silence_ > kMaxSilenceLag) next_silence_ = now;
  // Waiting on the (empty, deviceless) queue: interrupt() ends the wait.
  if (next_silence_ > now) (void)queue_.pop_for(next_silence_ - now);
  if (queue_.closed()) return std::nullopt;
  AudioFrame frame{std::vector<int16_t>(kAudioFrameSamples, 0), next_silence_ - kFrameDuration};
  next_silence_ += kFrameDuration;
  return frame;
}

std::optional<AudioFrame> MicrophoneSource::read() {
  for (;;) {
    supervise(Clock::now());
    if (!device_) {
      if (auto left = queue_.try_pop()) return left;  // captured before it went
      return silence();
    }
    if (auto frame = queue_.pop_for(kPollInterval)) return frame;
    if (queue_.closed()) return std::nullopt;
  }
}

std::string MicrophoneSource::describe() const { return describe_; }

}  // namespace peercall
