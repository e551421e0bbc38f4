#include "media/device/sdl_audio_device.hpp"

#include "media/frames.hpp"

namespace peercall {

Result<std::unique_ptr<SdlAudioDevice>> SdlAudioDevice::open(const char* label, const char* name,
                                                             Direction direction,
                                                             SDL_AudioCallback callback,
                                                             void* user) {
  std::unique_ptr<SdlAudioDevice> device(new SdlAudioDevice());
  device->name_ = name ? name : "default";
  const std::string who = std::string(label) + (name ? " '" + device->name_ + "'" : "");
  if (!device->audio_.ok()) {
    return Error{who + ": no audio system (" + SDL_GetError() + ")"};
  }
  const bool capture = direction == Direction::kCapture;
  if (SDL_GetNumAudioDevices(capture ? 1 : 0) == 0) {
    return Error{who + (capture ? ": no capture device" : ": no playback device")};
  }

  SDL_AudioSpec want{};
  want.freq = kAudioSampleRate;
  want.format = AUDIO_S16SYS;
  want.channels = 1;
  want.samples = kAudioFrameSamples;
  want.callback = callback;
  want.userdata = user;
  SDL_AudioSpec have{};
  // allowed_changes = 0: SDL resamples/converts behind the callback for us.
  device->id_ = SDL_OpenAudioDevice(name, capture ? 1 : 0, &want, &have, 0);
  if (device->id_ == 0) {
    return Error{who + ": " + SDL_GetError()};
  }
  return device;
}

std::string SdlAudioDevice::who(const char* label, const char* name) {
  return std::string(label) + (name ? " '" + std::string(name) + "'" : " (default)");
}

SdlAudioDevice::~SdlAudioDevice() {
  if (id_ != 0) SDL_CloseAudioDevice(id_);
}

}  // namespace peercall
