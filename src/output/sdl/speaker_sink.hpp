#pragma once
// The speaker: SDL2 playback at 48 kHz mono s16, pulled by SDL's audio thread
// from a small ring. on_audio() never blocks; if audio arrives faster than it
// plays, the oldest samples are dropped so latency stays under kMaxBuffered.
// When the ring runs dry the callback plays silence and counts an underrun.
// With an EchoReference attached, every buffer handed to SDL (silence too) is
// copied to it, stamped with when it will be heard, for the echo canceller.
//
// A speaker unplugged mid-call (see AudioDeviceWatch) is said once ("speaker
// 'X' is gone: ..."); audio arriving meanwhile is dropped and counted, and the
// same device (or the default, if it was the default) is tried again every
// second from on_audio() until it is back.
//
// output_delay() tells lip sync how late what is handed over now is heard:
// the ring ahead of it, SDL's buffers (see playout_delay()), and a delay after
// the device that nobody reports (Bluetooth: 100-300 ms), set by the user.
// It reads atomics the audio thread keeps up to date: no lock, no waiting.
//
// A ring that stays deeper than the jitter needs (the device stalled at
// start, or plays a little slower than the playout clock) is trimmed back by
// a QueueTrimmer: the excess is cut out of the next pulls with a crossfade
// and counted; what is cut is never played, nor handed to the echo reference.
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "core/time.hpp"
#include "media/device/audio_device_watch.hpp"
#include "media/device/sdl_audio_device.hpp"
#include "media/device/sdl_subsystem.hpp"
#include "output/audio_sink.hpp"
#include "output/sdl/queue_trimmer.hpp"

namespace peercall {

class EchoReference;

class SpeakerSink final : public AudioSink {
 public:
  // 120 ms: a few frames of slack for scheduling jitter, no more.
  static constexpr size_t kMaxBufferedSamples = size_t(kAudioSampleRate) * 120 / 1000;

  struct Stats {
    uint64_t played_samples = 0;   // real audio handed to SDL (not silence)
    uint64_t dropped_samples = 0;  // oldest samples discarded to bound latency
    uint64_t trimmed_samples = 0;  // cut out, crossfaded, to drain a standing queue
    uint64_t underruns = 0;        // callbacks that had to pad with silence
    size_t buffered_samples = 0;
    size_t max_buffered_samples = 0;  // high-water mark, <= kMaxBufferedSamples
    size_t standing_samples = 0;      // the ring's least fill after a pull, over the last window
    size_t target_samples = 0;        // where the trimmer brings the standing queue
    uint64_t gone_samples = 0;        // arrived while the device was gone: not played
    uint64_t losses = 0;              // times the device went away
    bool gone = false;
  };

  // `device` nullptr = the default playback device (see list_devices()).
  static Result<std::unique_ptr<SpeakerSink>> open(const char* device = nullptr,
                                                   AudioDeviceWatch::Config watch = {});
  ~SpeakerSink() override;

  void on_audio(const AudioFrame& frame) override;
  // Stops playback; later on_audio() calls are ignored.
  void close() override;
  Stats stats() const;
  Duration output_delay() const override;
  // Added to output_delay(): what the device adds after SDL (--speaker-delay).
  void set_extra_delay(Duration delay);
  // The far-end tap for the microphone's echo canceller (nullptr detaches).
  void set_echo_reference(std::shared_ptr<EchoReference> reference);

  // How long after a pull its first sample is heard: SDL's buffer, which is
  // being filled now, plays once the one before it (the audio server keeps
  // about one buffer queued, e.g. PulseAudio's tlength = SDL's buffer) is done.
  static Duration playout_delay(size_t buffer_samples);
  // How long a sample queued now behind `queued_samples` waits until it is
  // heard, `since_pull` after SDL last pulled `buffer_samples`: the rest of
  // that buffer's wait, that buffer itself, then the queue ahead.
  static Duration queued_delay(size_t queued_samples, size_t buffer_samples, Duration since_pull);

 private:
  SpeakerSink() : ring_(kMaxBufferedSamples) {
    tap_.reserve(kMaxBufferedSamples);  // the audio thread should not allocate
    splice_.reserve(kMaxBufferedSamples);
  }
  static void on_pull(void* self, Uint8* stream, int len);
  void pull(Uint8* out, size_t count);  // count in samples
  void copy_from_ring(int16_t* out, size_t count) const;  // mu_ held: the oldest `count`
  Result<Done> open_device();  // device_mu_ held
  void supervise(Instant now);  // device_mu_ held: acts on the watch's decision
  void set_gone(bool gone);

  SdlSubsystem audio_{SDL_INIT_AUDIO};  // stays up while the device is gone: SDL keeps its list
  std::optional<std::string> name_;     // nullopt: the default
  std::atomic<int64_t> last_pull_us_{0};  // when SDL last pulled (Clock micros)
  // For output_delay(), written under mu_ whenever they change: the ring's
  // fill (0 while gone or closed: nothing is heard), SDL's buffer size.
  std::atomic<size_t> queued_samples_{0};
  std::atomic<size_t> buffer_samples_{0};  // 0 until the first pull
  std::atomic<bool> audible_{true};
  std::atomic<int64_t> extra_delay_us_{0};
  Duration extra_delay() const { return microseconds(extra_delay_us_.load(std::memory_order_relaxed)); }

  mutable std::mutex mu_;  // guards the block below; held briefly by both threads
  std::vector<int16_t> ring_;
  size_t head_ = 0;  // oldest sample
  size_t size_ = 0;
  bool started_ = false;  // no underruns counted before the first audio arrives
  bool closed_ = false;
  bool gone_ = false;
  Stats stats_;
  std::shared_ptr<EchoReference> echo_reference_;
  QueueTrimmer trimmer_;
  std::vector<int16_t> tap_;      // audio thread: the buffer just played, aligned
  std::vector<int16_t> splice_;   // audio thread: a pull plus what the trimmer cuts

  // Held by on_audio()/close() while opening or closing the device, never by
  // the audio thread (closing waits for its callback, which takes mu_). Taken
  // before mu_, never while holding it.
  std::mutex device_mu_;
  AudioDeviceWatch watch_;
  std::unique_ptr<SdlAudioDevice> device_;  // nullptr while gone or closed
};

}  // namespace peercall
