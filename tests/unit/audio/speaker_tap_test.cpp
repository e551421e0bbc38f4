// The speaker's far-end tap, on SDL's dummy driver (no hardware): every
// buffer the callback hands to SDL reaches the EchoReference, the played
// samples in order and silence around them, stamped a playout delay ahead.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <thread>

#include "media/audio/echo_reference.hpp"
#include "output/sdl/speaker_sink.hpp"

namespace peercall {
namespace {

template <class Pred>
bool eventually(Pred done) {  // bounded: only stops a broken test from hanging
  const auto end = Clock::now() + seconds(5);
  while (!done()) {
    if (Clock::now() > end) return false;
    std::this_thread::sleep_for(milliseconds(5));
  }
  return true;
}

TEST(SpeakerTap, WhatThePullPlaysReachesTheReference) {
  ::setenv("SDL_AUDIODRIVER", "dummy", 1);
  auto speaker = SpeakerSink::open();
  ASSERT_TRUE(speaker.ok()) << speaker.error();
  auto reference = std::make_shared<EchoReference>();
  (*speaker)->set_echo_reference(reference);
  ASSERT_TRUE(eventually([&] { return reference->active(); }));  // silence is pushed too
  AudioFrame frame;
  frame.samples.assign(kAudioFrameSamples, 0);
  for (int i = 0; i < kAudioFrameSamples; ++i) frame.samples[i] = int16_t(1000 + i);
  const Instant fed = Clock::now();
  (*speaker)->on_audio(frame);
  ASSERT_TRUE(eventually([&] { return (*speaker)->stats().played_samples == uint64_t(kAudioFrameSamples); }));
  (*speaker)->set_echo_reference(nullptr);

  // Find the frame among the silence; it must be contiguous and in order.
  std::vector<int16_t> all;
  std::vector<Instant> times;
  while (auto f = reference->pop(480)) {
    all.insert(all.end(), f->samples.begin(), f->samples.end());
    times.push_back(f->play_time);
  }
  auto first = std::find(all.begin(), all.end(), int16_t(1000));
  ASSERT_NE(first, all.end());
  ASSERT_GE(all.end() - first, kAudioFrameSamples);
  for (int i = 0; i < kAudioFrameSamples; ++i) ASSERT_EQ(first[i], int16_t(1000 + i)) << i;
  // Heard no earlier than it was fed plus the estimated playout delay of a 20 ms buffer.
  const size_t at = size_t(first - all.begin()) / 480;
  EXPECT_GE(times[at] + milliseconds(10), fed + SpeakerSink::playout_delay(kAudioFrameSamples));
}

TEST(SpeakerTap, PlayoutDelayIsTwoBuffers) {
  EXPECT_EQ(SpeakerSink::playout_delay(960), milliseconds(40));
  EXPECT_EQ(SpeakerSink::playout_delay(480), milliseconds(20));
}

}  // namespace
}  // namespace peercall
