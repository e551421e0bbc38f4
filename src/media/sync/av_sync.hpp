#pragma once
// Lip sync, latency first: decides how much to delay the stream that is
// ahead so that the sound is shown with its picture within what viewers
// accept (ITU-R BT.1359: sound at most 45 ms ahead of the picture, 125 ms
// behind it), and never more than that. The idea of WebRTC's stream
// synchronizer, but it aims at the edge of the window, not at zero.
//
// Fed the delays of both streams from capture to playout on the sender's
// clock (the session maps RTP timestamps through the RTCP sender reports):
//   video: decoded - captured, BEFORE the hold this controller asks for
//          (the hold is ours, so we add it exactly and without lag);
//   audio: played - captured, AFTER the jitter buffer's delay, which our
//          minimum delay is part of (the buffer reaches it gradually, so the
//          measurement is what tells when it got there).
// The offset (+ = the sound is ahead = the picture is shown later than its
// sound) is smoothed, and the correction moves in small steps (25 ms a
// second by default) so single frames' jitter never makes it oscillate and
// nothing jumps:
//   - inside the window nothing is added (a clean call measures about -18 ms);
//   - sound behind by more than 125 ms (a deep audio jitter buffer): each
//     picture is held before it is shown, until the offset is `aim_inside_ms`
//     inside the window;
//   - sound ahead by more than 45 ms (slow video: retransmissions, decoding):
//     the audio jitter buffer gets a minimum delay, likewise;
//   - when the cause goes away the correction is released, down to zero.
// Only one stream is ever delayed: the other's correction is released first.
// Both are capped (max_extra_ms): beyond it we would rather be out of sync
// than add more latency to a conversation.
// Sans-I/O: no clock, no lock; the caller serializes the calls.
#include <cstdint>
#include <optional>

#include "core/time.hpp"

namespace peercall {

struct AvSyncConfig {
  int audio_ahead_max_ms = 45;    // the window (BT.1359 detectability thresholds)
  int audio_behind_max_ms = 125;
  int aim_inside_ms = 20;         // a correction brings the offset this far inside the edge
  // The video hold is exact: released once the offset is this far past the aim.
  int hold_deadband_ms = 20;
  // The audio buffer moves in whole 20 ms frames: released once the offset is
  // this far on the safe side of the aim (more than a frame, so no limit cycle).
  int audio_release_margin_ms = 30;
  int max_extra_ms = 500;         // cap of the video hold and of the audio minimum delay
  int step_ms = 5;                // largest change per update ...
  Duration update_interval = milliseconds(200);  // ... so at most 25 ms a second
  int audio_frame_ms = 20;        // the jitter buffer's granularity
  double video_smoothing = 0.05;  // weight of a new picture's delay (~20 pictures)
  double audio_smoothing = 0.03;  // weight of a new audio frame's delay (~30 frames)
  Duration warmup = seconds(1);   // both streams measured this long before acting
  Duration stale_after = seconds(3);  // a stream unmeasured this long: offset unknown
};

// What the controller asks for now.
struct AvSyncCorrection {
  Duration video_hold{};          // show each decoded picture this much later
  Duration audio_min_delay{};     // the audio jitter buffer's minimum delay (0 = none)
};

class AvSync {
 public:
  explicit AvSync(AvSyncConfig config = {});

  // A decoded picture: decoded minus captured (sender clock), without our hold.
  void on_video_delay(int64_t delay_us, Instant now);
  // A played audio frame: played minus captured (sender clock); the jitter
  // buffer's delay for it (what includes our minimum) and the delay its
  // jitter alone asks for (without our minimum).
  void on_audio_delay(int64_t delay_us, Instant now, Duration buffer_delay = {},
                      Duration jitter_target = {});

  AvSyncCorrection correction() const;
  Duration extra_video_delay() const { return milliseconds(hold_ms_); }
  Duration audio_min_delay() const { return milliseconds(audio_min_ms_); }
  // The smoothed offset as shown, with the hold (ms, + = sound ahead);
  // nullopt until both streams were measured (or once one went quiet).
  std::optional<double> offset_ms() const;

 private:
  void update(Instant now);
  void expire(Instant now);
  void step_video(double offset);
  void step_audio(double offset);
  void release();  // no offset known: give back a step of whatever is held

  AvSyncConfig config_;
  std::optional<double> video_ms_, audio_ms_;  // smoothed delays
  Instant last_video_{}, last_audio_{};
  std::optional<Instant> both_since_, last_update_;
  double audio_buffer_ms_ = 0, jitter_target_ms_ = 0;  // the latest audio frame's
  int hold_ms_ = 0, audio_min_ms_ = 0;
};

}  // namespace peercall
