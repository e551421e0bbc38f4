// The frame assembler with a retransmission wait: a gap holds newer frames
// back (in order) until it is repaired or its wait is over.
#include <gtest/gtest.h>

#include "packet/h264_depacketizer.hpp"
#include "packet/h264_packetizer.hpp"
#include "synthetic_h264.hpp"

namespace peercall {
namespace {

using test::RtpPacket;
using test::SyntheticAu;
using test::SyntheticH264;

const Instant kStart = instant_from_micros(5'000'000);

struct Stream {
  std::vector<SyntheticAu> frames;
  std::vector<RtpPacket> packets;
  std::vector<size_t> frame_of;  // frame index of each packet
};

// keyframe, 4 delta frames of 2 packets each, keyframe, delta.
Stream make_stream() {
  SyntheticH264 gen(11);
  Stream s;
  s.frames = {gen.keyframe(3000), gen.delta_frame(1, 1500), gen.delta_frame(1, 1500),
              gen.delta_frame(1, 1500), gen.delta_frame(1, 1500), gen.keyframe(3000),
              gen.delta_frame(1, 1500)};
  s.packets = test::to_rtp(H264Packetizer(1000), s.frames, 100);
  size_t frame = 0;
  for (const RtpPacket& p : s.packets) {
    s.frame_of.push_back(frame);
    if (p.marker) ++frame;
  }
  return s;
}

// Packet i arrives at kStart + i ms.
Instant arrival(size_t i) { return kStart + milliseconds(int64_t(i)); }

void push(H264Depacketizer& d, const Stream& s, size_t i, Instant at) {
  const RtpPacket& p = s.packets[i];
  d.push(p.seq, p.timestamp, p.marker, p.payload, at);
}

std::vector<H264AccessUnit> drain(H264Depacketizer& d) {
  std::vector<H264AccessUnit> out;
  while (auto au = d.pop_frame()) out.push_back(std::move(*au));
  return out;
}

// The first packet of frame `f`.
size_t first_packet(const Stream& s, size_t f) {
  for (size_t i = 0; i < s.frame_of.size(); ++i)
    if (s.frame_of[i] == f) return i;
  return s.frame_of.size();
}

TEST(H264DepacketizerWait, ARepairInTimeDeliversEveryFrameInOrder) {
  const Stream s = make_stream();
  H264Depacketizer d;
  d.set_max_wait(milliseconds(200));
  const size_t lost = first_packet(s, 1) + 1;  // frame 1's second packet
  const size_t before_key = first_packet(s, 5);  // (a whole keyframe beyond the gap would be jumped to)
  for (size_t i = 0; i < before_key; ++i)
    if (i != lost) push(d, s, i, arrival(i));
  auto got = drain(d);
  ASSERT_EQ(got.size(), 1u);  // the keyframe; the rest waits behind the gap
  EXPECT_FALSE(d.take_keyframe_request());
  // The wait runs from the first packet after the gap.
  ASSERT_TRUE(d.next_timeout());
  EXPECT_EQ(*d.next_timeout(), arrival(lost + 1) + milliseconds(200));
  d.handle_timeout(arrival(lost + 1) + milliseconds(199));
  EXPECT_FALSE(d.pop_frame());

  push(d, s, lost, arrival(lost) + milliseconds(150));  // the retransmission
  got = drain(d);
  ASSERT_EQ(got.size(), 4u);
  for (size_t f = 1; f < 5; ++f) EXPECT_EQ(got[f - 1].annexb, s.frames[f].expected) << f;
  EXPECT_EQ(d.stats().frames_lost, 0u);
  EXPECT_GE(d.stats().frames_waited, 1u);
  EXPECT_FALSE(d.take_keyframe_request());
  EXPECT_FALSE(d.next_timeout());
}

TEST(H264DepacketizerWait, NoRepairGivesUpAfterTheWaitAndAsksForAKeyframe) {
  const Stream s = make_stream();
  H264Depacketizer d;
  d.set_max_wait(milliseconds(200));
  const size_t lost = first_packet(s, 2);  // frame 2's first packet
  const size_t before_key = first_packet(s, 5);
  for (size_t i = 0; i < before_key; ++i)
    if (i != lost) push(d, s, i, arrival(i));
  EXPECT_EQ(drain(d).size(), 2u);  // frames 0 and 1
  const Instant deadline = arrival(lost + 1) + milliseconds(200);
  ASSERT_EQ(d.next_timeout(), deadline);
  d.handle_timeout(deadline);
  EXPECT_TRUE(drain(d).empty());  // frames 3 and 4 lack their reference
  EXPECT_EQ(d.stats().frames_lost, 1u);
  EXPECT_EQ(d.stats().frames_dropped_waiting_keyframe, 2u);
  EXPECT_TRUE(d.take_keyframe_request());
  EXPECT_FALSE(d.next_timeout());
  push(d, s, lost, deadline + milliseconds(1));  // too late now
  EXPECT_EQ(d.stats().packets_too_late, 1u);
  for (size_t i = before_key; i < s.packets.size(); ++i) push(d, s, i, deadline + milliseconds(2));
  const auto got = drain(d);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_TRUE(got[0].keyframe);
}

TEST(H264DepacketizerWait, AGapGivenUpAfterAnOutageAsksForAKeyframeAtOnce) {
  const Stream s = make_stream();
  H264Depacketizer d;
  d.set_max_wait(milliseconds(300));
  // Frames 0 and 1 arrive, frames 2 and 3 are lost in an outage, frame 4 arrives 2 s later.
  const size_t outage_from = first_packet(s, 2), outage_to = first_packet(s, 4);
  for (size_t i = 0; i < outage_from; ++i) push(d, s, i, arrival(i));
  EXPECT_EQ(drain(d).size(), 2u);
  const Instant back = arrival(outage_to) + seconds(2);
  d.give_up_before(s.packets[outage_to].seq);
  for (size_t i = outage_to; i < first_packet(s, 5); ++i) push(d, s, i, back);
  // No wait for repairs of what the outage took: given up now, a keyframe asked for.
  EXPECT_TRUE(drain(d).empty());  // frame 4 lacks its reference
  EXPECT_TRUE(d.take_keyframe_request());
  EXPECT_FALSE(d.next_timeout());
  EXPECT_GE(d.stats().frames_lost, 1u);
  for (size_t i = first_packet(s, 5); i < s.packets.size(); ++i) push(d, s, i, back + milliseconds(60));
  const auto got = drain(d);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_TRUE(got[0].keyframe);
}

TEST(H264DepacketizerWait, GivingUpBeforeAGaplessPointLosesNothing) {
  const Stream s = make_stream();
  H264Depacketizer d;
  d.set_max_wait(milliseconds(300));
  for (size_t i = 0; i < first_packet(s, 3); ++i) push(d, s, i, arrival(i));
  d.give_up_before(s.packets[first_packet(s, 3)].seq);
  for (size_t i = first_packet(s, 3); i < s.packets.size(); ++i) push(d, s, i, arrival(i));
  EXPECT_EQ(drain(d).size(), s.frames.size());
  EXPECT_EQ(d.stats().frames_lost, 0u);
  EXPECT_FALSE(d.take_keyframe_request());
}

TEST(H264DepacketizerWait, ACompleteKeyframeBeyondAGapIsTakenAtOnceWhenOneIsNeeded) {
  const Stream s = make_stream();
  H264Depacketizer d;
  d.set_max_wait(milliseconds(500));
  // Frame 1 given up after its wait: from then on only a keyframe helps.
  const size_t lost1 = first_packet(s, 1);
  for (size_t i = 0; i < first_packet(s, 3); ++i)
    if (i != lost1) push(d, s, i, arrival(i));
  d.handle_timeout(arrival(lost1 + 1) + milliseconds(500));
  EXPECT_EQ(drain(d).size(), 1u);
  EXPECT_TRUE(d.take_keyframe_request());
  // Frame 4 loses a packet too, but keyframe 5 is complete: no wait for frame 4.
  const size_t lost4 = first_packet(s, 4);
  const Instant later = arrival(lost1) + seconds(1);
  for (size_t i = first_packet(s, 3); i < s.packets.size(); ++i)
    if (i != lost4) push(d, s, i, later);
  const auto got = drain(d);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_TRUE(got[0].keyframe);
  EXPECT_EQ(got[0].annexb, s.frames[5].expected);
  EXPECT_EQ(d.stats().skipped_to_keyframe, 1u);
  EXPECT_FALSE(d.take_keyframe_request());  // the keyframe repaired it: nothing to ask
  EXPECT_FALSE(d.next_timeout());
}

TEST(H264DepacketizerWait, ACompleteKeyframeBeyondAGapIsTakenAtOnceEvenWhenTheGapCouldBeRepaired) {
  const Stream s = make_stream();
  H264Depacketizer d;
  d.set_max_wait(milliseconds(500));
  const size_t lost = first_packet(s, 3);  // frame 3 is missing a packet; keyframe 5 follows whole
  for (size_t i = 0; i < first_packet(s, 6); ++i)
    if (i != lost) push(d, s, i, arrival(i));
  const auto got = drain(d);
  ASSERT_EQ(got.size(), 4u);  // frames 0-2, then keyframe 5 at once: no wait behind frame 3
  EXPECT_TRUE(got[3].keyframe);
  EXPECT_EQ(got[3].annexb, s.frames[5].expected);
  EXPECT_FALSE(d.next_timeout());
  EXPECT_FALSE(d.take_keyframe_request());  // the keyframe repaired it
}

// After a collapse pause the sender supersedes what it sent before (no
// retransmission comes) and restarts with a keyframe: the packets just before
// it, the end of the last frame included, are gone. The keyframe begins with
// its SPS, so nothing of it can be in the gap: taken at once, not after the wait.
TEST(H264DepacketizerWait, AKeyframeRightAfterAGapIsTakenAtOnce) {
  const Stream s = make_stream();
  H264Depacketizer d;
  d.set_max_wait(milliseconds(500));
  const size_t key = first_packet(s, 5);
  for (size_t i = 0; i < s.packets.size(); ++i)
    if (i < first_packet(s, 3) || i >= key) push(d, s, i, arrival(i));  // frames 3 and 4 lost whole
  const auto got = drain(d);
  ASSERT_EQ(got.size(), 5u);  // frames 0-2, keyframe 5, frame 6
  EXPECT_TRUE(got[3].keyframe);
  EXPECT_EQ(got[3].annexb, s.frames[5].expected);
  EXPECT_EQ(got[4].annexb, s.frames[6].expected);
  EXPECT_FALSE(d.next_timeout());
  EXPECT_FALSE(d.take_keyframe_request());
}

TEST(H264DepacketizerWait, ReorderingInsideTheWaitIsNoLoss) {
  const Stream s = make_stream();
  H264Depacketizer d;
  d.set_max_wait(milliseconds(100));
  std::vector<size_t> order;
  for (size_t i = 0; i < s.packets.size(); ++i) order.push_back(i);
  // Packet 3 arrives after everything else, 50 ms late.
  order.erase(order.begin() + 3);
  for (size_t i : order) push(d, s, i, arrival(i));
  push(d, s, 3, arrival(3) + milliseconds(50));
  EXPECT_EQ(drain(d).size(), s.frames.size());
  EXPECT_EQ(d.stats().frames_lost, 0u);
}

}  // namespace
}  // namespace peercall

namespace peercall {
namespace {

// The stream with one padding sequence number (a ULPFEC repair's) after each
// frame: (seq, packet index or -1 for padding).
std::vector<std::pair<int64_t, int>> with_padding(const Stream& s) {
  std::vector<std::pair<int64_t, int>> out;
  int64_t seq = 100;
  for (size_t i = 0; i < s.packets.size(); ++i) {
    out.emplace_back(seq++, int(i));
    if (s.packets[i].marker) out.emplace_back(seq++, -1);
  }
  return out;
}

void push_at(H264Depacketizer& d, const Stream& s, std::pair<int64_t, int> p, Instant at) {
  if (p.second < 0) {
    d.push_padding(p.first, 0, at);
    return;
  }
  const RtpPacket& rtp = s.packets[size_t(p.second)];
  d.push(p.first, rtp.timestamp, rtp.marker, rtp.payload, at);
}

TEST(H264DepacketizerPadding, PaddingBetweenFramesLeavesNoGap) {
  const Stream s = make_stream();
  H264Depacketizer d;
  d.set_max_wait(milliseconds(100));
  const auto order = with_padding(s);
  for (size_t i = 0; i < order.size(); ++i) push_at(d, s, order[i], arrival(i));
  const auto out = drain(d);
  ASSERT_EQ(out.size(), s.frames.size());
  for (size_t f = 0; f < out.size(); ++f) EXPECT_EQ(out[f].annexb, s.frames[f].expected) << f;
  EXPECT_EQ(d.stats().frames_lost, 0u);
  EXPECT_EQ(d.stats().frames_waited, 0u);
  EXPECT_FALSE(d.take_keyframe_request());
}

TEST(H264DepacketizerPadding, ALostPaddingIsWaitedForLikeAnyPacket) {
  const Stream s = make_stream();
  H264Depacketizer d;
  d.set_max_wait(milliseconds(100));
  // Up to frame 4 (a whole keyframe beyond a gap would be jumped to).
  auto order = with_padding(s);
  while (order.back().second < 0 || s.frame_of[size_t(order.back().second)] >= 5) order.pop_back();
  // The padding after frame 1 is lost, and resent 30 ms later.
  size_t lost = 0, seen = 0;
  for (size_t i = 0; i < order.size(); ++i)
    if (order[i].second < 0 && seen++ == 1) lost = i;
  for (size_t i = 0; i < order.size(); ++i)
    if (i != lost) push_at(d, s, order[i], arrival(i));
  EXPECT_EQ(drain(d).size(), 2u) << "frames after the gap wait";
  EXPECT_TRUE(d.next_timeout()) << "for the resend";
  d.push_padding(order[lost].first, 0, arrival(order.size()) + milliseconds(30));
  EXPECT_EQ(drain(d).size(), 3u);
  EXPECT_EQ(d.stats().frames_lost, 0u);
  // A padding sequence number twice, or one already passed: nothing happens.
  d.push_padding(order[lost].first, 0, arrival(order.size()) + milliseconds(40));
  EXPECT_EQ(d.stats().frames_lost, 0u);
  EXPECT_TRUE(drain(d).empty());
}

}  // namespace
}  // namespace peercall

namespace peercall {
namespace {

// Padding right after a frame's packets whose marker was lost, with the
// frame's own timestamp (a repair of that frame): the frame is not finished
// by it (nor the padding read as a picture); the next keyframe is taken.
TEST(H264DepacketizerPadding, PaddingAfterAFrameMissingItsMarkerEndsNothing) {
  const Stream s = make_stream();
  H264Depacketizer d;
  const size_t f2 = first_packet(s, 2);
  int64_t seq = 100;
  for (size_t i = 0; i < f2; ++i) {
    if (i + 1 == f2) {  // frame 1's marker packet, lost; its repair takes its place
      d.push_padding(seq++, s.packets[i].timestamp, arrival(i));
      continue;
    }
    const RtpPacket& p = s.packets[i];
    d.push(seq++, p.timestamp, p.marker, p.payload, arrival(i));
  }
  for (size_t i = first_packet(s, 5); i < s.packets.size(); ++i) {
    const RtpPacket& p = s.packets[i];
    d.push(seq++, p.timestamp, p.marker, p.payload, arrival(i));
  }
  const auto out = drain(d);
  ASSERT_GE(out.size(), 2u);
  EXPECT_EQ(out[0].annexb, s.frames[0].expected);
  EXPECT_TRUE(out[1].keyframe) << "frame 1 is not handed out broken: the next keyframe follows frame 0";
  EXPECT_GE(d.stats().frames_lost, 1u);
}

}  // namespace
}  // namespace peercall
