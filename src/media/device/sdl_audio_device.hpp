#pragma once
// One open SDL audio device (capture or playback) in the pipeline's format:
// 48 kHz mono s16, 20 ms per callback. SDL converts if the hardware differs,
// so callbacks always see exactly this format. Shared by the microphone and
// the speaker.
#include <SDL.h>

#include <memory>
#include <string>

#include "core/result.hpp"
#include "media/device/sdl_subsystem.hpp"

namespace peercall {

class SdlAudioDevice {
 public:
  enum class Direction { kCapture, kPlayback };

  // `name` nullptr = the system default. `label` ("microphone", "speaker")
  // prefixes the error one-liner. The device starts paused: call start().
  static Result<std::unique_ptr<SdlAudioDevice>> open(const char* label, const char* name,
                                                      Direction direction,
                                                      SDL_AudioCallback callback, void* user);
  // Closing waits for a running callback to return, so once the destructor
  // is done the callback's user data may be destroyed.
  ~SdlAudioDevice();
  SdlAudioDevice(const SdlAudioDevice&) = delete;
  SdlAudioDevice& operator=(const SdlAudioDevice&) = delete;

  void start() { SDL_PauseAudioDevice(id_, 0); }
  // SDL gave the device up: it was unplugged or its server removed it. The
  // callback no longer runs; only closing and opening again brings it back.
  // A plain status read, safe from any thread, no event loop needed.
  bool stopped() const { return SDL_GetAudioDeviceStatus(id_) == SDL_AUDIO_STOPPED; }
  // "default" or the device name, for describe().
  const std::string& name() const { return name_; }

  // "microphone 'USB Mic'" or "microphone (default)": how messages name it.
  static std::string who(const char* label, const char* name);

 private:
  SdlAudioDevice() : audio_(SDL_INIT_AUDIO) {}

  SdlSubsystem audio_;
  SDL_AudioDeviceID id_ = 0;
  std::string name_;
};

}  // namespace peercall
