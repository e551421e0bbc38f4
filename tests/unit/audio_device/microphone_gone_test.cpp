// A microphone that is not there: silence at the real-time pace, never a hang.
// SDL's dummy driver has one capture device, named by nothing we ask for.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <thread>

#include "media/device/microphone_source.hpp"

namespace peercall {
namespace {

TEST(MicrophoneGone, AMissingDeviceSendsSilenceAtTheFramePace) {
  ::setenv("SDL_AUDIODRIVER", "dummy", 1);
  auto mic = MicrophoneSource::open_or_wait("no such microphone");
  ASSERT_TRUE(mic.ok()) << mic.error();
  EXPECT_TRUE((*mic)->gone());
  EXPECT_EQ((*mic)->describe(), "microphone no such microphone");
  const Instant start = Clock::now();
  Instant previous{};
  for (int i = 0; i < 10; ++i) {
    auto frame = (*mic)->read();
    ASSERT_TRUE(frame);
    ASSERT_EQ(frame->samples.size(), size_t(kAudioFrameSamples));
    for (int16_t s : frame->samples) ASSERT_EQ(s, 0);
    EXPECT_GT(frame->capture_time, previous);
    previous = frame->capture_time;
  }
  // 10 frames of 20 ms: not a burst (the first is due at once).
  EXPECT_GE(Clock::now() - start, milliseconds(170));
  EXPECT_TRUE((*mic)->gone());
}

TEST(MicrophoneGone, RetriesWithoutGivingUpOrBlocking) {
  ::setenv("SDL_AUDIODRIVER", "dummy", 1);
  auto mic = MicrophoneSource::open_or_wait("no such microphone",
                                            AudioDeviceWatch::Config{milliseconds(50), seconds(3)});
  ASSERT_TRUE(mic.ok()) << mic.error();
  for (int i = 0; i < 20; ++i) ASSERT_TRUE((*mic)->read());  // 400 ms: several failed reopens
  EXPECT_TRUE((*mic)->gone());
  EXPECT_EQ((*mic)->losses(), 1u);  // gone once, not once per attempt
}

TEST(MicrophoneGone, InterruptEndsTheSilence) {
  ::setenv("SDL_AUDIODRIVER", "dummy", 1);
  auto mic = MicrophoneSource::open_or_wait("no such microphone");
  ASSERT_TRUE(mic.ok()) << mic.error();
  std::atomic<int> frames{0};
  std::thread reader([&] {
    while ((*mic)->read()) ++frames;
  });
  // Once it has read two, the reader is (almost always) inside a paced wait.
  const Instant deadline = Clock::now() + seconds(5);
  while (frames < 2 && Clock::now() < deadline) std::this_thread::sleep_for(milliseconds(2));
  (*mic)->interrupt();
  reader.join();  // would hang if the paced wait ignored interrupt()
  EXPECT_FALSE((*mic)->read());
}

TEST(MicrophoneGone, TheDefaultDeviceOpensAtOnce) {
  ::setenv("SDL_AUDIODRIVER", "dummy", 1);
  auto mic = MicrophoneSource::open_or_wait();
  ASSERT_TRUE(mic.ok()) << mic.error();
  EXPECT_FALSE((*mic)->gone());
  ASSERT_TRUE((*mic)->read());
}

TEST(MicrophoneGone, NoAudioSystemIsStillAnError) {
  ::setenv("SDL_AUDIODRIVER", "no-such-driver", 1);
  auto mic = MicrophoneSource::open_or_wait("x");
  ASSERT_FALSE(mic.ok());
  EXPECT_NE(std::string(mic.error()).find("no audio system"), std::string::npos) << mic.error();
}

}  // namespace
}  // namespace peercall
