#include "media/device/audio_device_watch.hpp"

namespace peercall {

void AudioDeviceWatch::opened(Instant now) {
  gone_ = false;
  opened_at_ = now;
}

AudioDeviceWatch::Action AudioDeviceWatch::step(Instant now, bool stopped, Instant last_activity) {
  if (gone_) {
    if (now < next_retry_) return Action::kNone;
    // Due; the next attempt is scheduled by reopen_failed(), so a caller that
    // never reports back cannot make this fire on every step.
    next_retry_ = now + config_.retry_interval;
    return Action::kReopen;
  }
  // Activity from before this device was opened is the previous device's.
  const bool delivered = last_activity != Instant{} && last_activity >= opened_at_;
  const bool stalled = delivered && now - last_activity >= config_.stall_timeout;
  if (!stopped && !stalled) return Action::kNone;
  gone_ = true;
  gone_since_ = now;
  next_retry_ = now + config_.retry_interval;
  ++losses_;
  return Action::kGiveUp;
}

void AudioDeviceWatch::reopened(Instant now) { opened(now); }

void AudioDeviceWatch::reopen_failed(Instant now) { next_retry_ = now + config_.retry_interval; }

}  // namespace peercall
