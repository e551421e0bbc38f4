#include "media/audio/echo_reference.hpp"

#include <gtest/gtest.h>

#include <future>
#include <numeric>
#include <thread>

namespace peercall {
namespace {

const Instant t0 = instant_from_micros(1'000'000);

std::vector<int16_t> ramp(size_t n, int16_t first) {
  std::vector<int16_t> v(n);
  std::iota(v.begin(), v.end(), first);
  return v;
}

TEST(EchoReference, InactiveUntilTheSpeakerPushes) {
  EchoReference ref;
  EXPECT_FALSE(ref.active());
  EXPECT_FALSE(ref.pop(480));
  ref.push(ramp(10, 0), t0);
  EXPECT_TRUE(ref.active());
}

TEST(EchoReference, PopsInOrderWithThePlayTimeOfTheFirstSample) {
  EchoReference ref;
  ref.push(ramp(960, 0), t0);  // 20 ms heard from t0
  auto a = ref.pop(480);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->samples.front(), 0);
  EXPECT_EQ(a->samples.back(), 479);
  EXPECT_EQ(a->play_time, t0);
  auto b = ref.pop(480);
  ASSERT_TRUE(b);
  EXPECT_EQ(b->samples.front(), 480);
  EXPECT_EQ(b->play_time, t0 + milliseconds(10));
  EXPECT_FALSE(ref.pop(480));  // empty
}

TEST(EchoReference, APartialFrameWaitsForMore) {
  EchoReference ref;
  ref.push(ramp(300, 0), t0);
  EXPECT_FALSE(ref.pop(480));
  ref.push(ramp(300, 300), t0 + microseconds(6250));
  auto f = ref.pop(480);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->samples[479], 479);
  EXPECT_EQ(f->play_time, t0);
  EXPECT_EQ(ref.buffered(), 120u);
}

TEST(EchoReference, TheNewestTimingWins) {
  EchoReference ref;
  ref.push(ramp(480, 0), t0);
  // The device delay grew by 5 ms: the next push says so.
  ref.push(ramp(480, 480), t0 + milliseconds(15));
  auto f = ref.pop(480);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->play_time, t0 + milliseconds(5));
}

TEST(EchoReference, BoundedDropsTheOldest) {
  EchoReference ref;
  const size_t cap = EchoReference::kCapacitySamples;
  ref.push(ramp(cap, 0), t0);
  ref.push(ramp(480, 1), t0 + milliseconds(500));
  EXPECT_EQ(ref.buffered(), cap);
  EXPECT_EQ(ref.dropped_samples(), 480u);
  auto f = ref.pop(480);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->samples[0], int16_t(480));  // the first 480 went
  EXPECT_EQ(f->play_time, t0 + milliseconds(10));
  // A push larger than the ring keeps its newest part.
  ref.push(ramp(cap + 100, 0), t0);
  EXPECT_EQ(ref.buffered(), cap);
}

TEST(EchoReference, OneThreadPushesAnotherPops) {
  EchoReference ref;
  constexpr int kFrames = 40;  // 400 ms: fits the ring, so nothing may drop
  auto writer = std::async(std::launch::async, [&] {
    for (int i = 0; i < kFrames; ++i) {
      std::vector<int16_t> f(480, int16_t(i));
      ref.push(f, t0 + milliseconds(10 * i));
      std::this_thread::yield();
    }
  });
  int got = 0, last = -1;
  const auto deadline = Clock::now() + seconds(10);
  while (got < kFrames && Clock::now() < deadline) {
    if (auto f = ref.pop(480)) {
      EXPECT_EQ(f->samples.front(), f->samples.back());  // never torn
      EXPECT_GT(f->samples.front(), last);               // in order
      last = f->samples.front();
      ++got;
    } else {
      std::this_thread::yield();
    }
  }
  writer.get();
  EXPECT_EQ(got, kFrames);
}

}  // namespace
}  // namespace peercall
