#include "output/sdl/speaker_sink.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "sdl_test_support.hpp"

namespace peercall {
namespace {

AudioFrame ramp_frame(int first) {
  AudioFrame frame;
  frame.samples.resize(kAudioFrameSamples);
  for (int i = 0; i < kAudioFrameSamples; ++i) frame.samples[i] = int16_t(first + i);
  return frame;
}

TEST(SpeakerSink, DummyDriverConsumesAudio) {
  test::use_audio_driver("dummy");
  auto speaker = SpeakerSink::open();
  ASSERT_TRUE(speaker.ok()) << speaker.error();
  (*speaker)->on_audio(ramp_frame(1));
  EXPECT_TRUE(test::eventually([&] { return (*speaker)->stats().played_samples > 0; }));
  EXPECT_TRUE(test::eventually([&] { return (*speaker)->stats().buffered_samples == 0; }));
}

TEST(SpeakerSink, LatencyStaysBoundedWhenFedFasterThanRealTime) {
  test::use_audio_driver("dummy");
  auto speaker = SpeakerSink::open();
  ASSERT_TRUE(speaker.ok()) << speaker.error();
  const int frames = 2 * kAudioSampleRate / kAudioFrameSamples;  // 2 s, instantly
  for (int i = 0; i < frames; ++i) {
    (*speaker)->on_audio(ramp_frame(i));
    ASSERT_LE((*speaker)->stats().buffered_samples, SpeakerSink::kMaxBufferedSamples);
  }
  const auto stats = (*speaker)->stats();
  EXPECT_GT(stats.dropped_samples, 0u);
  EXPECT_LE(stats.max_buffered_samples, SpeakerSink::kMaxBufferedSamples);
  // Everything fed was either played, dropped or is still buffered.
  EXPECT_EQ(stats.played_samples + stats.dropped_samples + stats.buffered_samples,
            uint64_t(frames) * kAudioFrameSamples);
}

TEST(SpeakerSink, PlaysTheSamplesInOrderThenSilence) {
  // SDL's "disk" driver writes what the callback produced to a file.
  test::TempDir dir;
  const auto output = dir.path() / "speaker.raw";
  ::setenv("SDL_DISKAUDIOFILE", output.c_str(), 1);
  test::use_audio_driver("disk");
  auto speaker = SpeakerSink::open();
  ASSERT_TRUE(speaker.ok()) << speaker.error();
  constexpr int kFrames = 5;  // 100 ms: fits in the ring, nothing dropped
  for (int i = 0; i < kFrames; ++i) (*speaker)->on_audio(ramp_frame(1 + i * kAudioFrameSamples));
  constexpr uint64_t kTotal = uint64_t(kFrames) * kAudioFrameSamples;
  ASSERT_TRUE(test::eventually([&] { return (*speaker)->stats().played_samples == kTotal; }));
  ASSERT_TRUE(test::eventually([&] { return (*speaker)->stats().underruns > 0; }));
  (*speaker)->close();
  EXPECT_EQ((*speaker)->stats().dropped_samples, 0u);

  std::ifstream in(output, std::ios::binary);
  const std::string bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  std::vector<int16_t> played(bytes.size() / 2);
  std::memcpy(played.data(), bytes.data(), played.size() * 2);
  // Leading silence (callbacks before the first frame), the ramp 1..kTotal, silence.
  size_t start = 0;
  while (start < played.size() && played[start] == 0) ++start;
  ASSERT_GE(played.size(), start + kTotal + 1);
  for (size_t i = 0; i < kTotal; ++i) ASSERT_EQ(played[start + i], int16_t(1 + i)) << i;
  EXPECT_EQ(played[start + kTotal], 0);

  (*speaker)->on_audio(ramp_frame(1));  // after close: ignored, no crash
  EXPECT_EQ((*speaker)->stats().buffered_samples, 0u);
}

TEST(SpeakerSink, QueuedDelayCountsTheBuffersAndTheQueueAhead) {
  // Just pulled: the pulled buffer waits playout_delay (40 ms at 20 ms
  // buffers), then plays 20 ms; what is queued now comes after it.
  EXPECT_EQ(SpeakerSink::queued_delay(0, 960, Duration{}), milliseconds(60));
  EXPECT_EQ(SpeakerSink::queued_delay(4800, 960, Duration{}), milliseconds(160));  // + 100 ms queued
  // Later in the same buffer, less is left of it.
  EXPECT_EQ(SpeakerSink::queued_delay(0, 960, milliseconds(15)), milliseconds(45));
  // An overdue pull is taken as due now, never as a negative wait.
  EXPECT_EQ(SpeakerSink::queued_delay(0, 960, milliseconds(500)), milliseconds(40));
  EXPECT_EQ(SpeakerSink::queued_delay(0, 960, -milliseconds(5)), milliseconds(60));
  EXPECT_EQ(SpeakerSink::queued_delay(480, 480, Duration{}), milliseconds(40));
}

TEST(SpeakerSink, OutputDelayFollowsTheQueueAndAddsTheExtraDelay) {
  test::use_audio_driver("dummy");
  auto speaker = SpeakerSink::open();
  ASSERT_TRUE(speaker.ok()) << speaker.error();
  SpeakerSink& s = **speaker;
  const Duration idle = s.output_delay();  // only SDL's buffers
  EXPECT_GE(idle, milliseconds(40));
  EXPECT_LE(idle, milliseconds(60));
  for (int i = 0; i < 5; ++i) s.on_audio(ramp_frame(i));  // 100 ms at once: queued ahead
  const auto queued = s.stats().buffered_samples;
  const Duration full = s.output_delay();
  EXPECT_GE(full, idle + std::chrono::microseconds(int64_t(queued) * 1'000'000 / kAudioSampleRate) -
                      milliseconds(21));  // a pull may have happened in between
  EXPECT_GT(full, milliseconds(80));
  s.set_extra_delay(milliseconds(250));
  EXPECT_GE(s.output_delay(), full + milliseconds(250) - milliseconds(21));
  // Played out, the queue is gone from the delay; the extra stays.
  ASSERT_TRUE(test::eventually([&] { return s.stats().buffered_samples == 0; }));
  EXPECT_LE(s.output_delay(), milliseconds(250 + 60));
  EXPECT_GE(s.output_delay(), milliseconds(250 + 40));
  s.close();  // closed: nothing is heard
  EXPECT_EQ(s.output_delay(), Duration{});
}

TEST(SpeakerSink, UnknownDeviceIsAnError) {
  test::use_audio_driver("dummy");
  auto speaker = SpeakerSink::open("no such speaker");
  ASSERT_FALSE(speaker.ok());
  EXPECT_NE(std::string(speaker.error()).find("speaker 'no such speaker'"), std::string::npos)
      << speaker.error();
}

}  // namespace
}  // namespace peercall
