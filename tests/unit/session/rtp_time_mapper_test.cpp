#include "session/rtp_time_mapper.hpp"

#include <gtest/gtest.h>

namespace peercall {
namespace {

constexpr uint32_t k400Ms = 90000 * 4 / 10;  // on the 90 kHz clock

// Frames 400 ms apart on the sender's clock whose delay shrinks by 8 ms each,
// as the start of a call on a loaded machine drains.
TEST(RtpTimeMapper, TheSteadyMapKeepsTheSendersIntervalsWhileDelaysShrink) {
  RtpTimeMapper mapper(90000);
  const Instant t0 = Instant{} + seconds(100);
  const uint32_t ts0 = 4'294'900'000u;  // the 32-bit timestamp wraps after the second frame
  std::vector<Instant> floating, steady;
  for (uint32_t i = 0; i < 5; ++i) {
    const uint32_t ts = ts0 + i * k400Ms;
    const Instant arrival = t0 + milliseconds(400 * i) - milliseconds(8 * i);
    mapper.on_packet(ts, arrival);
    floating.push_back(mapper.map(ts));
    steady.push_back(mapper.map_steady(ts));
    EXPECT_LE(floating.back(), arrival);
  }
  for (size_t i = 1; i < steady.size(); ++i) {
    EXPECT_EQ(steady[i] - steady[i - 1], milliseconds(400)) << i;
    EXPECT_EQ(floating[i] - floating[i - 1], milliseconds(392)) << i << ": re-anchored at each arrival";
  }
}

TEST(RtpTimeMapper, NothingFedMapsToTheEpoch) {
  const RtpTimeMapper mapper(90000);
  EXPECT_EQ(mapper.map(1234), Instant{});
  EXPECT_EQ(mapper.map_steady(1234), Instant{});
}

TEST(RtpTimeMapper, LaterDelaysLeaveBothMapsOnTheSendersClock) {
  RtpTimeMapper mapper(48000);
  const Instant t0 = Instant{} + seconds(5);
  mapper.on_packet(0, t0);
  mapper.on_packet(480, t0 + milliseconds(30));  // 10 ms of audio, 20 ms late: no re-anchor
  EXPECT_EQ(mapper.map(480), t0 + milliseconds(10));
  EXPECT_EQ(mapper.map_steady(480), t0 + milliseconds(10));
  EXPECT_EQ(mapper.map(960), t0 + milliseconds(20));  // not fed: mapped without learning
}

}  // namespace
}  // namespace peercall
