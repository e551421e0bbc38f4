#include "media/device/audio_device_watch.hpp"

#include <gtest/gtest.h>

namespace peercall {
namespace {

using Action = AudioDeviceWatch::Action;

const Instant kT0 = instant_from_micros(1'000'000'000);

AudioDeviceWatch opened_watch() {
  AudioDeviceWatch watch(AudioDeviceWatch::Config{seconds(1), seconds(3)});
  watch.opened(kT0);
  return watch;
}

TEST(AudioDeviceWatch, AWorkingDeviceIsLeftAlone) {
  auto watch = opened_watch();
  for (int i = 1; i <= 500; ++i) {
    const Instant now = kT0 + milliseconds(20 * i);
    EXPECT_EQ(watch.step(now, false, now - milliseconds(5)), Action::kNone) << i;
  }
  EXPECT_FALSE(watch.gone());
  EXPECT_EQ(watch.losses(), 0u);
}

TEST(AudioDeviceWatch, StoppedDeviceIsGivenUpOnceThenRetriedEverySecond) {
  auto watch = opened_watch();
  const Instant lost = kT0 + seconds(5);
  EXPECT_EQ(watch.step(lost, true, lost - milliseconds(20)), Action::kGiveUp);
  EXPECT_TRUE(watch.gone());
  EXPECT_EQ(watch.losses(), 1u);
  // Every 20 ms read until the retry is due: nothing, and never a second give-up.
  Instant now = lost;
  int reopens = 0;
  for (int i = 1; i <= 175; ++i) {  // 3.5 s
    now = lost + milliseconds(20 * i);
    const Action a = watch.step(now, true, lost - milliseconds(20));
    EXPECT_NE(a, Action::kGiveUp);
    if (a == Action::kReopen) {
      ++reopens;
      EXPECT_GE(now - lost, seconds(reopens));  // not before 1 s, 2 s, 3 s
      watch.reopen_failed(now);
    }
  }
  EXPECT_EQ(reopens, 3);
  EXPECT_EQ(watch.gone_for(now), milliseconds(3500));
}

TEST(AudioDeviceWatch, ReopenedDeviceIsThereAgain) {
  auto watch = opened_watch();
  const Instant lost = kT0 + seconds(2);
  ASSERT_EQ(watch.step(lost, true, lost), Action::kGiveUp);
  const Instant retry = lost + seconds(1);
  ASSERT_EQ(watch.step(retry, false, lost), Action::kReopen);
  watch.reopened(retry);
  EXPECT_FALSE(watch.gone());
  EXPECT_EQ(watch.gone_for(retry), Duration::zero());
  // The old device's last activity (before the reopen) is not a stall of the new one,
  // which may take its time to start.
  EXPECT_EQ(watch.step(retry + seconds(10), false, lost), Action::kNone);
  // Once the new one has delivered, a long silence from it is.
  const Instant delivered = retry + seconds(11);
  EXPECT_EQ(watch.step(delivered, false, delivered), Action::kNone);
  EXPECT_EQ(watch.step(delivered + seconds(3), false, delivered), Action::kGiveUp);
  EXPECT_EQ(watch.losses(), 2u);
}

TEST(AudioDeviceWatch, ADeviceSlowToStartIsNotStalled) {
  auto watch = opened_watch();
  EXPECT_EQ(watch.step(kT0 + seconds(30), false, Instant{}), Action::kNone);
}

TEST(AudioDeviceWatch, StallJustUnderTheTimeoutIsTolerated) {
  auto watch = opened_watch();
  const Instant last = kT0 + seconds(1);
  EXPECT_EQ(watch.step(last + milliseconds(2999), false, last), Action::kNone);
  EXPECT_EQ(watch.step(last + milliseconds(3000), false, last), Action::kGiveUp);
}

TEST(AudioDeviceWatch, ACallerThatNeverReportsBackIsNotAskedOnEveryStep) {
  auto watch = opened_watch();
  ASSERT_EQ(watch.step(kT0, true, Instant{}), Action::kGiveUp);
  ASSERT_EQ(watch.step(kT0 + seconds(1), true, Instant{}), Action::kReopen);
  EXPECT_EQ(watch.step(kT0 + seconds(1) + milliseconds(20), true, Instant{}), Action::kNone);
  EXPECT_EQ(watch.step(kT0 + seconds(2), true, Instant{}), Action::kReopen);
}

}  // namespace
}  // namespace peercall
