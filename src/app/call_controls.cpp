#include "app/call_controls.hpp"

#include <spdlog/spdlog.h>

#include "app/send_pipeline.hpp"

namespace peercall {

bool CallControls::on_key(char key) {
  switch (key) {
    case 'm': set_audio_muted(!state_.audio_muted); return true;
    case 'v': set_video_off(!state_.video_off); return true;
    case 'p':
      if (switch_video_) switch_video_();
      return true;
    default: return false;
  }
}

void CallControls::set_audio_muted(bool muted) {
  if (!send_ || !send_->has_audio()) {
    spdlog::info("nothing to mute: this side sends no sound");
    return;
  }
  if (state_.audio_muted == muted) return;
  state_.audio_muted = muted;
  send_->set_audio_muted(muted);
  spdlog::info(muted ? "microphone muted (m to unmute)" : "microphone on");
  changed();
}

void CallControls::set_video_off(bool off) {
  if (!send_ || !send_->has_video()) {
    spdlog::info("no camera to switch: this side sends no video");
    return;
  }
  if (state_.video_off == off) return;
  state_.video_off = off;
  send_->set_video_off(off);
  spdlog::info(off ? "camera off (v to switch it on)" : "camera on");
  changed();
}

void CallControls::changed() {
  if (on_change_) on_change_(state_);
}

}  // namespace peercall
