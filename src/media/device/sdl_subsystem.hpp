#pragma once
// RAII for SDL_InitSubSystem/SDL_QuitSubSystem. SDL reference-counts
// subsystems, so every user (window, speaker, microphone, device listing)
// holds its own guard and SDL shuts down when the last one goes away.
#include <SDL.h>

namespace peercall {

class SdlSubsystem {
 public:
  explicit SdlSubsystem(Uint32 flags) : flags_(flags), ok_(SDL_InitSubSystem(flags) == 0) {}
  ~SdlSubsystem() {
    if (ok_) SDL_QuitSubSystem(flags_);
  }
  SdlSubsystem(const SdlSubsystem&) = delete;
  SdlSubsystem& operator=(const SdlSubsystem&) = delete;

  bool ok() const { return ok_; }

 private:
  Uint32 flags_;
  bool ok_;
};

}  // namespace peercall
