#pragma once
// The in-call controls that change what this side sends: the microphone's
// mute (m), the camera (v) and camera <-> screen (p: present). The same keys from the terminal and the
// window; each change is applied to the send pipeline, said in one line and
// handed on (to the peer, in band, and to the window's badges).
#include <functional>

namespace peercall {

class SendPipeline;

struct LocalMediaState {
  bool audio_muted = false;
  bool video_off = false;
  bool operator==(const LocalMediaState&) const = default;
};

class CallControls {
 public:
  using OnChange = std::function<void(const LocalMediaState&)>;
  using SwitchVideo = std::function<void()>;  // p: camera <-> screen

  // `send` may be null (watch): the keys then say there is nothing to mute.
  CallControls(SendPipeline* send, OnChange on_change, SwitchVideo switch_video = {})
      : send_(send), on_change_(std::move(on_change)), switch_video_(std::move(switch_video)) {}

  // Main thread. True if the key was one of ours.
  bool on_key(char key);
  const LocalMediaState& state() const { return state_; }

  void set_audio_muted(bool muted);
  void set_video_off(bool off);

 private:
  void changed();

  SendPipeline* send_;
  OnChange on_change_;
  SwitchVideo switch_video_;
  LocalMediaState state_;
};

}  // namespace peercall
