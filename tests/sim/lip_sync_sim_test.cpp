// Lip sync needs both streams' capture instants on one clock: the sender's,
// as its RTCP sender reports tie each stream's RTP time to it. On a virtual
// clock shared by both sides, the sender's clock is the test's, so a frame's
// sender_time_us must be its true capture instant, audio and video alike,
// even though the two streams' RTP timestamps start at unrelated random values.
#include <gtest/gtest.h>

#include "two_peer_call.hpp"

namespace peercall {
namespace {

using sim::LinkModel;
using sim::TwoPeerCall;

SessionConfig config_for(int side) {
  const uint32_t base = side == 0 ? 0x1000 : 0x2000;
  SessionConfig c;
  StreamConfig audio{MediaKind::kAudio, "0", true, true, 111, 48000, base + 2, 0};
  StreamConfig video{MediaKind::kVideo, "1", true, true, 96, 90000, base + 1, 0};
  c.streams = {audio, video};
  c.random_seed = 7 + side;
  return c;
}

TEST(LipSyncSim, SenderReportsPutAudioAndVideoOnTheSendersClock) {
  LinkModel link;
  link.delay = milliseconds(30);
  TwoPeerCall call({config_for(0), config_for(1)}, link, 1);
  call.run(seconds(4), seconds(5));
  ASSERT_FALSE(call.stuck());
  const auto& rx = call.peer(1);
  int video_checked = 0, audio_checked = 0;
  for (const auto& d : rx.video) {
    if (d.frame.sender_time_us == 0) continue;  // before the first report
    // Delivered 30 ms after capture (a delta frame's packets arrive together;
    // the pacer spreads a keyframe's 6 kB over ~2 ms at 2.5 x 2.5 Mbit/s).
    const int64_t delay_us = to_micros(d.at) - d.frame.sender_time_us;
    const int64_t spread_us = d.frame.keyframe ? 3'000 : 0;
    EXPECT_GE(delay_us, 29'000) << "video frame at " << to_micros(d.at);
    EXPECT_LE(delay_us, 31'000 + spread_us) << "video frame at " << to_micros(d.at);
    ++video_checked;
  }
  for (const auto& d : rx.audio) {
    if (d.frame.sender_time_us == 0) continue;
    const int64_t delay_us = to_micros(d.at) - d.frame.sender_time_us;
    EXPECT_NEAR(delay_us, 30'000, 1'000) << "audio frame at " << to_micros(d.at);
    ++audio_checked;
  }
  // Reports come every 500 ms: all but the first half second are mapped.
  EXPECT_GT(video_checked, 90);
  EXPECT_GT(audio_checked, 150);
}

}  // namespace
}  // namespace peercall
