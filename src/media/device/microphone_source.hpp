#pragma once
// The microphone: SDL2 audio capture at 48 kHz mono s16. SDL's audio thread
// cuts the stream into 20 ms frames and pushes them into a small queue that
// drops the oldest, so a slow consumer costs samples, never latency.
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/bounded_queue.hpp"
#include "core/result.hpp"
#include "media/audio_source.hpp"
#include "media/device/sdl_audio_device.hpp"

namespace peercall {

class MicrophoneSource final : public AudioSource {
 public:
  // 200 ms: enough to ride out a hiccup of the encoder thread.
  static constexpr size_t kQueueFrames = 10;

  // `device` nullptr = the default capture device (see list_devices()).
  // Error e.g. "microphone: no capture device".
  static Result<std::unique_ptr<MicrophoneSource>> open(const char* device = nullptr);
  ~MicrophoneSource() override;

  // Blocks until the next 20 ms frame (kAudioFrameSamples samples) is captured.
  std::optional<AudioFrame> read() override;
  void interrupt() override { queue_.close(); }
  std::string describe() const override;
  // Frames lost because read() fell behind.
  uint64_t dropped_frames() const { return queue_.dropped(); }

 private:
  MicrophoneSource();
  static void on_samples(void* self, Uint8* stream, int len);
  void append(const Uint8* bytes, size_t count);  // count in samples

  BoundedQueue<AudioFrame> queue_{kQueueFrames};
  std::vector<int16_t> partial_;  // audio thread only
  std::unique_ptr<SdlAudioDevice> device_;
};

}  // namespace peercall
