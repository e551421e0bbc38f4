#pragma once
// The microphone: SDL2 audio capture at 48 kHz mono s16. SDL's audio thread
// cuts the stream into 20 ms frames and pushes them into a small queue that
// drops the oldest, so a slow consumer costs samples, never latency.
//
// A microphone unplugged mid-call (see AudioDeviceWatch) is said once
// ("microphone 'X' is gone: sending silence until it is back"); read() then
// returns 20 ms frames of silence at the real-time pace, so the call and the
// encoder's timing go on, and the same device (or the default, if it was the
// default) is tried again every second until it is back.
#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/bounded_queue.hpp"
#include "core/result.hpp"
#include "core/time.hpp"
#include "media/audio_source.hpp"
#include "media/device/audio_device_watch.hpp"
#include "media/device/sdl_audio_device.hpp"
#include "media/device/sdl_subsystem.hpp"

namespace peercall {

class MicrophoneSource final : public AudioSource {
 public:
  // 200 ms: enough to ride out a hiccup of the encoder thread.
  static constexpr size_t kQueueFrames = 10;

  // `device` nullptr = the default capture device (see list_devices()).
  // Error e.g. "microphone: no capture device".
  static Result<std::unique_ptr<MicrophoneSource>> open(const char* device = nullptr,
                                                        AudioDeviceWatch::Config watch = {});
  // Like open(), but a device that is not there now is waited for: the source
  // starts gone (one line, silence, a retry every second) instead of failing.
  // For opening again a microphone that worked before (OnDemandAudioSource's
  // factory after the probe): unplugged while muted or between calls, it is
  // picked up when it is back. Fails only without an audio system.
  static Result<std::unique_ptr<MicrophoneSource>> open_or_wait(const char* device = nullptr,
                                                                AudioDeviceWatch::Config watch = {});
  ~MicrophoneSource() override;

  // Blocks until the next 20 ms frame (kAudioFrameSamples samples) is
  // captured, or, while the device is gone, until the next frame of silence
  // is due.
  std::optional<AudioFrame> read() override;
  void interrupt() override { queue_.close(); }
  std::string describe() const override;
  // Frames lost because read() fell behind.
  uint64_t dropped_frames() const { return queue_.dropped(); }
  // Whether the device is gone right now, and how often it went.
  bool gone() const { return watch_.gone(); }
  uint64_t losses() const { return watch_.losses(); }

 private:
  MicrophoneSource();
  static void on_samples(void* self, Uint8* stream, int len);
  void append(const Uint8* bytes, size_t count);  // count in samples
  // Capture thread: acts on what the watch decides (give up, reopen).
  void supervise(Instant now);
  Result<Done> open_device();
  std::optional<AudioFrame> silence();

  SdlSubsystem audio_{SDL_INIT_AUDIO};  // stays up while the device is gone: SDL keeps its list
  std::optional<std::string> name_;     // nullopt: the default
  std::string describe_;
  BoundedQueue<AudioFrame> queue_{kQueueFrames};
  std::vector<int16_t> partial_;  // audio thread only (reset while no device is open)
  std::atomic<int64_t> last_samples_us_{0};  // when the callback last ran (Clock micros)
  AudioDeviceWatch watch_;        // capture thread only
  Instant next_silence_{};        // while gone: when the next silent frame is due
  std::unique_ptr<SdlAudioDevice> device_;  // capture thread only; nullptr while gone
};

}  // namespace peercall
