// The lip-sync controller against a small model of a call on a virtual
// clock: pictures every 33 ms with a decode-side delay, audio frames every
// 20 ms through a jitter buffer that, like ours, reaches a minimum delay in
// whole 20 ms frames, one at most every 400 ms.
#include "media/sync/av_sync.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>

namespace peercall {
namespace {

const Instant kT0 = Instant{} + seconds(100);

struct Call {
  // What the link and the decoder do (ms, sender capture to playout).
  double video_ms = 60;       // decoded - captured
  double audio_net_ms = 60;   // audio, before the jitter buffer
  double jitter_target_ms = 2;  // what the audio jitter alone asks for
  double noise_ms = 0;        // +- uniform on every single measurement
  bool video_on = true, audio_on = true;

  AvSync sync;
  double buffer_ms = 10;      // the audio buffer's delay now
  Instant now = kT0, next_video = kT0, next_audio = kT0, last_move = kT0;
  std::mt19937 rng{7};
  // Over the run: the largest single change, and whether both were ever on.
  int max_hold_step = 0, max_min_step = 0, hold_reversals = 0, max_hold = 0, max_min = 0;
  bool both_at_once = false;
  int last_hold_change = 0;

  explicit Call(AvSyncConfig config = {}) : sync(config) {}

  double noise() { return std::uniform_real_distribution<double>(-noise_ms, noise_ms)(rng); }
  int hold() const { return int(to_micros(sync.extra_video_delay()) / 1000); }
  int min_delay() const { return int(to_micros(sync.audio_min_delay()) / 1000); }
  double audio_ms() const { return audio_net_ms + buffer_ms; }
  // The offset really shown (no noise): + = the sound is ahead.
  double shown_offset() const { return video_ms + hold() - audio_ms(); }

  void buffer_tick() {
    // Stretch towards max(jitter, minimum) or shrink back, a frame at a time.
    const double target = std::max(jitter_target_ms, double(min_delay()));
    if (now - last_move < milliseconds(400)) return;
    if (buffer_ms + 10 <= target) {
      buffer_ms += 20;
      last_move = now;
    } else if (buffer_ms - 20 >= target) {
      buffer_ms -= 20;
      last_move = now;
    }
  }

  void run_for(Duration d) {
    const Instant end = now + d;
    while (now < end) {
      const int hold_before = hold(), min_before = min_delay();
      if (next_video <= next_audio) {
        now = next_video;
        next_video += microseconds(33'333);
        if (video_on) sync.on_video_delay(int64_t((video_ms + noise()) * 1000), now);
      } else {
        now = next_audio;
        next_audio += milliseconds(20);
        buffer_tick();
        if (audio_on)
          sync.on_audio_delay(int64_t((audio_ms() + noise()) * 1000), now,
                              microseconds(int64_t(buffer_ms * 1000)),
                              microseconds(int64_t(jitter_target_ms * 1000)));
      }
      const int dh = hold() - hold_before, dm = min_delay() - min_before;
      max_hold_step = std::max(max_hold_step, std::abs(dh));
      if (min_before != 0) max_min_step = std::max(max_min_step, std::abs(dm));
      if (dh != 0) {
        if (last_hold_change != 0 && (dh > 0) != (last_hold_change > 0)) ++hold_reversals;
        last_hold_change = dh;
      }
      max_hold = std::max(max_hold, hold());
      max_min = std::max(max_min, min_delay());
      both_at_once = both_at_once || (hold() > 0 && min_delay() > 0);
    }
  }
};

bool inside_window(double offset) { return offset >= -125 && offset <= 45; }

// Pictures 40 ms after capture, the sound 300 ms deep in its jitter buffer:
// the sound is ~300 ms behind, far outside the window.
Call sound_late_call() {
  Call call;
  call.video_ms = 40;
  call.audio_net_ms = 40;
  call.jitter_target_ms = 300;
  call.buffer_ms = 300;
  return call;
}

TEST(AvSync, InsideTheWindowNothingIsAdded) {
  Call call;
  call.video_ms = 60;
  call.audio_net_ms = 68;  // about -18 ms, as a clean loopback call measures
  call.run_for(seconds(60));
  EXPECT_EQ(call.max_hold, 0);
  EXPECT_EQ(call.max_min, 0);
  ASSERT_TRUE(call.sync.offset_ms());
  EXPECT_NEAR(*call.sync.offset_ms(), -18, 2);
}

TEST(AvSync, NoisyMeasurementsInsideTheWindowAddNothing) {
  Call call;
  call.audio_net_ms = 68;
  call.noise_ms = 30;
  call.run_for(seconds(120));
  EXPECT_EQ(call.max_hold, 0);
  EXPECT_EQ(call.max_min, 0);
}

TEST(AvSync, SoundBehindHoldsThePicturesInStepsUpToTheAimOnly) {
  Call call;
  call.video_ms = 40;
  call.audio_net_ms = 40;
  call.jitter_target_ms = 300;  // a deep audio buffer: the sound is 300 ms late
  call.buffer_ms = 300;
  call.run_for(seconds(2));
  EXPECT_GT(call.hold(), 0);
  EXPECT_LE(call.hold(), 30);  // 25 ms a second after the warmup: moving in steps, not in one jump
  call.run_for(seconds(15));
  EXPECT_TRUE(inside_window(call.shown_offset())) << call.shown_offset();
  // Latency first: held until 20 ms inside the window, no further.
  EXPECT_NEAR(call.shown_offset(), -105, 6);
  EXPECT_LE(call.max_hold, 300 - 105 + 1);
  EXPECT_LE(call.max_hold_step, 5);
  EXPECT_EQ(call.max_min, 0);
  EXPECT_EQ(call.hold_reversals, 0);
}

TEST(AvSync, PictureLateRaisesTheAudioMinimumDelayInSteps) {
  Call call;
  call.video_ms = 260;  // retransmissions, a slow decoder: 200 ms behind its sound
  call.audio_net_ms = 50;
  call.buffer_ms = 10;
  call.run_for(seconds(3));
  EXPECT_GT(call.min_delay(), 0);
  EXPECT_LE(call.min_delay(), 10 + 60);  // from the buffer's 10 ms, 25 ms a second
  call.run_for(seconds(20));
  EXPECT_TRUE(inside_window(call.shown_offset())) << call.shown_offset();
  EXPECT_GE(call.shown_offset(), 25 - 30 - 20);  // not much further than needed
  EXPECT_LE(call.max_min_step, 5);
  EXPECT_LE(call.max_min, 260 - 50 - 25 + 20);
  EXPECT_EQ(call.max_hold, 0);
  EXPECT_FALSE(call.both_at_once);
}

TEST(AvSync, HoldIsReleasedWhenTheAudioBufferShrinks) {
  Call call = sound_late_call();
  call.run_for(seconds(15));
  ASSERT_GT(call.hold(), 150);
  call.jitter_target_ms = 2;  // the link got better
  call.run_for(seconds(15));
  EXPECT_EQ(call.hold(), 0);
  EXPECT_EQ(call.max_min, 0);
  EXPECT_LE(call.max_hold_step, 5);
}

TEST(AvSync, AudioMinimumIsReleasedWhenThePicturesCatchUp) {
  Call call;
  call.video_ms = 260;
  call.audio_net_ms = 50;
  call.run_for(seconds(20));
  ASSERT_GT(call.min_delay(), 100);
  call.video_ms = 60;
  call.run_for(seconds(30));
  EXPECT_EQ(call.min_delay(), 0);
  EXPECT_EQ(call.max_hold, 0);
  EXPECT_TRUE(inside_window(call.shown_offset())) << call.shown_offset();
}

TEST(AvSync, FromOneSideToTheOtherReleasesFirstAndNeverDelaysBoth) {
  Call call = sound_late_call();
  call.run_for(seconds(15));
  ASSERT_GT(call.hold(), 0);
  // Now the sound is far ahead instead: video got slow, the audio buffer shallow.
  call.jitter_target_ms = 2;
  call.video_ms = 300;
  call.run_for(seconds(60));
  EXPECT_EQ(call.hold(), 0);
  EXPECT_GT(call.min_delay(), 0);
  EXPECT_TRUE(inside_window(call.shown_offset())) << call.shown_offset();
  EXPECT_FALSE(call.both_at_once);
}

TEST(AvSync, NoisyMeasurementsDoNotMakeTheHoldOscillate) {
  Call call = sound_late_call();
  call.noise_ms = 30;
  call.run_for(seconds(15));
  const int settled = call.hold();
  int low = settled, high = settled;
  for (int i = 0; i < 300; ++i) {
    call.run_for(milliseconds(200));
    low = std::min(low, call.hold());
    high = std::max(high, call.hold());
  }
  std::printf("hold %d..%d ms, %d reversals, offset %.1f ms\n", low, high, call.hold_reversals,
              call.shown_offset());
  EXPECT_LE(high - low, 12);
  EXPECT_LE(call.hold_reversals, 6);
  EXPECT_TRUE(inside_window(call.shown_offset())) << call.shown_offset();
}

TEST(AvSync, NoisyMeasurementsDoNotMakeTheAudioMinimumOscillate) {
  Call call;
  call.video_ms = 260;
  call.audio_net_ms = 50;
  call.noise_ms = 30;
  call.run_for(seconds(20));
  const int settled = call.min_delay();
  ASSERT_GT(settled, 100);
  int low = settled, high = settled;
  for (int i = 0; i < 300; ++i) {
    call.run_for(milliseconds(200));
    low = std::min(low, call.min_delay());
    high = std::max(high, call.min_delay());
  }
  std::printf("audio minimum %d..%d ms, offset %.1f ms\n", low, high, call.shown_offset());
  EXPECT_LE(high - low, 25);
  EXPECT_TRUE(inside_window(call.shown_offset())) << call.shown_offset();
}

TEST(AvSync, TheCapIsHonoured) {
  Call call;
  call.video_ms = 40;
  call.audio_net_ms = 40;
  call.jitter_target_ms = 900;  // would need a 675 ms hold
  call.buffer_ms = 900;
  call.run_for(seconds(60));
  EXPECT_EQ(call.hold(), 500);
  EXPECT_EQ(call.max_hold, 500);

  Call late;
  late.video_ms = 1000;  // would need about 900 ms of audio minimum
  late.run_for(seconds(90));
  EXPECT_EQ(late.min_delay(), 500);
  EXPECT_EQ(late.max_min, 500);
}

TEST(AvSync, OneStreamAloneGivesNoOffsetAndNoCorrection) {
  Call audio_only;
  audio_only.video_on = false;
  audio_only.video_ms = 1000;
  audio_only.run_for(seconds(20));
  EXPECT_FALSE(audio_only.sync.offset_ms());
  EXPECT_EQ(audio_only.max_min, 0);
  EXPECT_EQ(audio_only.max_hold, 0);

  Call video_only;
  video_only.audio_on = false;
  video_only.jitter_target_ms = 500;
  video_only.buffer_ms = 500;
  video_only.run_for(seconds(20));
  EXPECT_FALSE(video_only.sync.offset_ms());
  EXPECT_EQ(video_only.max_min, 0);
  EXPECT_EQ(video_only.max_hold, 0);
}

TEST(AvSync, AStreamThatStopsReleasesTheCorrection) {
  Call call = sound_late_call();
  call.run_for(seconds(15));
  ASSERT_GT(call.hold(), 150);
  call.audio_on = false;  // the peer muted: nothing left to be in sync with
  call.run_for(seconds(60));
  EXPECT_FALSE(call.sync.offset_ms());
  EXPECT_EQ(call.hold(), 0);
}

}  // namespace
}  // namespace peercall
