#include "media/device/microphone_source.hpp"

#include <algorithm>
#include <cstring>

#include "core/time.hpp"

namespace peercall {

namespace {
constexpr Duration kFrameDuration = milliseconds(1000 * kAudioFrameSamples / kAudioSampleRate);
}

MicrophoneSource::MicrophoneSource() { partial_.reserve(kAudioFrameSamples); }

MicrophoneSource::~MicrophoneSource() {
  queue_.close();
  device_.reset();  // stops the callback before the members it uses go away
}

Result<std::unique_ptr<MicrophoneSource>> MicrophoneSource::open(const char* device) {
  std::unique_ptr<MicrophoneSource> mic(new MicrophoneSource());
  auto opened = SdlAudioDevice::open("microphone", device, SdlAudioDevice::Direction::kCapture,
                                     &MicrophoneSource::on_samples, mic.get());
  if (!opened) return Error{opened.error()};
  mic->device_ = std::move(*opened);
  mic->device_->start();
  return mic;
}

void MicrophoneSource::on_samples(void* self, Uint8* stream, int len) {
  const size_t samples = len > 0 ? size_t(len) / sizeof(int16_t) : 0;
  static_cast<MicrophoneSource*>(self)->append(stream, samples);
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

std::optional<AudioFrame> MicrophoneSource::read() { return queue_.pop(); }

std::string MicrophoneSource::describe() const { return "microphone " + device_->name(); }

}  // namespace peercall
