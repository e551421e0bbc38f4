#include "media/device/microphone_source.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <optional>
#include <thread>
#include <string>
#include <vector>

#include "sdl_test_support.hpp"

namespace peercall {
namespace {

TEST(MicrophoneSource, DummyDriverDelivers20msFrames) {
  test::use_audio_driver("dummy");
  auto mic = MicrophoneSource::open();
  ASSERT_TRUE(mic.ok()) << mic.error();
  EXPECT_EQ((*mic)->describe(), "microphone default");
  for (int i = 0; i < 3; ++i) {
    auto frame = (*mic)->read();
    ASSERT_TRUE(frame);
    EXPECT_EQ(frame->samples.size(), size_t(kAudioFrameSamples));
  }
}

TEST(MicrophoneSource, CapturesExactlyWhatTheDeviceRecords) {
  // SDL's "disk" driver records from a file: a ramp must arrive intact and in order.
  test::TempDir dir;
  const auto input = dir.path() / "mic.raw";
  constexpr int kSamples = 3 * kAudioFrameSamples;
  {
    std::vector<int16_t> ramp(kSamples);
    for (int i = 0; i < kSamples; ++i) ramp[i] = int16_t(i - 1000);
    std::ofstream(input, std::ios::binary)
        .write(reinterpret_cast<const char*>(ramp.data()), std::streamsize(ramp.size() * 2));
  }
  ::setenv("SDL_DISKAUDIOFILEIN", input.c_str(), 1);
  test::use_audio_driver("disk");
  auto mic = MicrophoneSource::open();
  ASSERT_TRUE(mic.ok()) << mic.error();
  std::vector<int16_t> got;
  while (got.size() < size_t(kSamples)) {
    auto frame = (*mic)->read();
    ASSERT_TRUE(frame);
    got.insert(got.end(), frame->samples.begin(), frame->samples.end());
  }
  for (int i = 0; i < kSamples; ++i) ASSERT_EQ(got[i], i - 1000) << "sample " << i;
}

TEST(MicrophoneSource, InterruptWakesABlockedRead) {
  test::use_audio_driver("dummy");
  auto mic = MicrophoneSource::open();
  ASSERT_TRUE(mic.ok()) << mic.error();
  std::optional<AudioFrame> last;
  std::thread reader([&] {
    while (auto frame = (*mic)->read()) last = std::move(frame);
  });
  (*mic)->interrupt();
  reader.join();  // would hang if interrupt() did not wake read()
  EXPECT_FALSE((*mic)->read());
}

TEST(MicrophoneSource, UnknownDeviceIsAnError) {
  test::use_audio_driver("dummy");
  auto mic = MicrophoneSource::open("no such microphone");
  ASSERT_FALSE(mic.ok());
  EXPECT_NE(std::string(mic.error()).find("microphone 'no such microphone'"), std::string::npos)
      << mic.error();
}

TEST(MicrophoneSource, NoAudioSystemIsAnError) {
  test::use_audio_driver("no-such-driver");
  auto mic = MicrophoneSource::open();
  ASSERT_FALSE(mic.ok());
  EXPECT_NE(std::string(mic.error()).find("microphone: no audio system"), std::string::npos)
      << mic.error();
}

}  // namespace
}  // namespace peercall
