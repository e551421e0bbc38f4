#include "output/sdl/speaker_sink.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <numbers>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "media/audio/echo_reference.hpp"
#include "sdl_test_support.hpp"

namespace peercall {
namespace {

AudioFrame ramp_frame(int first) {
  AudioFrame frame;
  frame.samples.resize(kAudioFrameSamples);
  for (int i = 0; i < kAudioFrameSamples; ++i) frame.samples[i] = int16_t(first + i);
  return frame;
}

// A speaker on SDL's "disk" driver, which writes what the callback produced
// (what the speaker played) to `output`.
Result<std::unique_ptr<SpeakerSink>> open_disk_speaker(const std::filesystem::path& output) {
  ::setenv("SDL_DISKAUDIOFILE", output.c_str(), 1);
  test::use_audio_driver("disk");
  return SpeakerSink::open();
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
  // Everything fed was either played, dropped, trimmed or is still buffered.
  EXPECT_EQ(stats.played_samples + stats.dropped_samples + stats.trimmed_samples + stats.buffered_samples,
            uint64_t(frames) * kAudioFrameSamples);
}

TEST(SpeakerSink, PlaysTheSamplesInOrderThenSilence) {
  test::TempDir dir;
  const auto output = dir.path() / "speaker.raw";
  auto speaker = open_disk_speaker(output);
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

// 20 ms of a 440 Hz tone, continuing from sample `first` (never 0 at the start).
AudioFrame tone_frame(size_t first) {
  AudioFrame frame;
  frame.samples.resize(kAudioFrameSamples);
  for (int i = 0; i < kAudioFrameSamples; ++i)
    frame.samples[i] = int16_t(std::lround(8000 * std::sin(2 * std::numbers::pi * 440 * double(first + i) / 48000 + 0.5)));
  return frame;
}

TEST(SpeakerSink, AStandingQueueIsTrimmedAndTheEchoReferenceGetsWhatWasPlayed) {
  // SDL's disk driver writes what the callback produced to a file: that is
  // what the speaker played, and the echo reference must hold the same.
  test::TempDir dir;
  const auto output = dir.path() / "speaker.raw";
  auto speaker = open_disk_speaker(output);
  ASSERT_TRUE(speaker.ok()) << speaker.error();
  SpeakerSink& s = **speaker;
  auto reference = std::make_shared<EchoReference>();
  s.set_echo_reference(reference);
  std::vector<int16_t> referenced;
  const auto drain_reference = [&] {
    while (auto f = reference->pop(480)) referenced.insert(referenced.end(), f->samples.begin(), f->samples.end());
  };
  // As after a device stall: the ring is 100 ms deep at once (not its full
  // 120 ms, which the next frame could overflow before SDL pulls: that
  // drop-oldest is not the trimmer's); then the producer keeps real time,
  // one frame per 20 ms, as the playout clock does (this pacing is the clock
  // under test, not a wait for an event).
  size_t fed = 0;
  for (int i = 0; i < 5; ++i, fed += kAudioFrameSamples) s.on_audio(tone_frame(fed));
  const auto start = std::chrono::steady_clock::now();
  constexpr int kFrames = 150;  // 3 s
  for (int i = 1; i <= kFrames; ++i, fed += kAudioFrameSamples) {
    std::this_thread::sleep_until(start + i * std::chrono::milliseconds(20));
    s.on_audio(tone_frame(fed));
    drain_reference();
  }
  const auto during = s.stats();
  EXPECT_GT(during.trimmed_samples, 0u);
  EXPECT_LE(during.standing_samples, during.target_samples + 96) << "the ring still holds a standing queue";
  EXPECT_LT(during.buffered_samples, SpeakerSink::kMaxBufferedSamples / 2);
  ASSERT_TRUE(test::eventually([&] { return s.stats().buffered_samples == 0; }));
  s.set_echo_reference(nullptr);
  s.close();
  drain_reference();
  const auto stats = s.stats();
  EXPECT_EQ(stats.played_samples + stats.dropped_samples + stats.trimmed_samples, uint64_t(fed));

  std::ifstream in(output, std::ios::binary);
  const std::string bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  std::vector<int16_t> played(bytes.size() / 2);
  std::memcpy(played.data(), bytes.data(), played.size() * 2);
  // The reference holds what was played from when it was attached until it
  // was detached, sample for sample: nothing cut reached it.
  const auto first_sound = [](const std::vector<int16_t>& v) {
    return size_t(std::find_if(v.begin(), v.end(), [](int16_t x) { return x != 0; }) - v.begin());
  };
  ASSERT_GE(referenced.size(), size_t(fed) - stats.trimmed_samples - stats.dropped_samples);
  ASSERT_GE(first_sound(played), first_sound(referenced));
  const size_t offset = first_sound(played) - first_sound(referenced);  // pulls before it was attached
  ASSERT_LE(offset + referenced.size(), played.size());
  for (size_t i = 0; i < referenced.size(); ++i) ASSERT_EQ(referenced[i], played[offset + i]) << i;
  // And the tone played on without a click where it was cut. Silence the
  // device padded in (an underrun: this thread woke late on a loaded
  // machine) is no cut: the steps into and out of it are not counted.
  size_t from = 0;
  while (from < played.size() && played[from] == 0) ++from;
  double largest = 0;
  size_t compared = 0;
  for (size_t i = from + 1; i < played.size(); ++i) {
    if (played[i] == 0 || played[i - 1] == 0) continue;
    largest = std::max(largest, std::abs(double(played[i]) - played[i - 1]));
    ++compared;
  }
  EXPECT_GE(compared + 2 * stats.underruns + 1, stats.played_samples / 2) << "most of the tone was compared";
  const double normal = 2 * 8000 * std::sin(std::numbers::pi * 440 / 48000);
  EXPECT_LE(largest, 2 * normal);
}

TEST(SpeakerSink, TheEchoReferenceIsHeardAsLateAsTheSpeakerDelaySays) {
  // A Bluetooth headset's delay (--speaker-delay) delays the echo as well:
  // the canceller must look for it that much later.
  test::TempDir dir;
  auto speaker = open_disk_speaker(dir.path() / "speaker.raw");
  ASSERT_TRUE(speaker.ok()) << speaker.error();
  SpeakerSink& s = **speaker;
  auto reference = std::make_shared<EchoReference>();
  s.set_echo_reference(reference);
  s.set_extra_delay(milliseconds(250));
  for (size_t fed = 0; fed < 3 * kAudioFrameSamples; fed += kAudioFrameSamples) s.on_audio(tone_frame(fed));
  std::optional<EchoReference::Frame> far;
  ASSERT_TRUE(test::eventually([&] { return (far = reference->pop(480)).has_value(); }));
  // Pushed when SDL pulled it, popped at once: heard >= 250 ms from now.
  EXPECT_GE(far->play_time - Clock::now(), milliseconds(240));
  s.set_echo_reference(nullptr);
  s.close();
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
