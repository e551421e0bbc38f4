// Two PeerSessions joined by a seeded simulated network on a virtual clock:
// runs faster than real time and never flakes.
#include "session/peer_session.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <map>

#include "../../sim/fake_media.hpp"
#include "../../sim/simulated_network.hpp"

namespace peercall {
namespace {

using sim::LinkModel;
using sim::SimulatedNetwork;
using sim::fake_access_unit;
using sim::frame_number;

constexpr uint8_t kVideoPt = 96;
constexpr uint8_t kAudioPt = 111;

// `nack`: video loss recovery by NACK with plain resends (RTX is tested in
// tests/sim); without it losses are repaired by keyframe requests only.
SessionConfig config_for(int side, bool nack = true) {
  SessionConfig c;
  const uint32_t base = side == 0 ? 0x1000 : 0x2000;
  c.streams = {{MediaKind::kAudio, "0", true, true, kAudioPt, 48000, base + 2, 0},
               {MediaKind::kVideo, "1", true, true, kVideoPt, 90000, base + 1, 0}};
  c.streams[1].nack = nack;
  c.random_seed = 1234 + side;
  c.cname = side == 0 ? "a" : "b";
  return c;
}

struct Peer {
  std::unique_ptr<PeerSession> session;
  std::vector<EncodedFrame> video;
  std::vector<AudioReceived> audio;
  int keyframe_requests = 0;
  bool hung_up = false;
  bool timed_out = false;
  bool force_keyframe = true;
};

// Drives two sessions: side 0 and 1 send video at 30 fps and audio at 50 pps
// until `send_until`, and the clock runs until `run_until`.
class Call {
 public:
  Call(LinkModel model, uint64_t seed, bool nack = true) : model_(model), net_(seed) {
    for (int i = 0; i < 2; ++i) peers_[i].session = std::make_unique<PeerSession>(config_for(i, nack), now_);
  }

  void run(Duration send_until, Duration run_until, std::array<bool, 2> sending = {true, true}) {
    const Instant start = now_;
    Instant next_video = start, next_audio = start;
    uint32_t frame = frames_sent_;
    while (true) {
      Instant next = start + run_until;
      for (auto& p : peers_)
        if (!p.session->closed()) next = std::min(next, p.session->next_timeout());
      if (net_.has_pending()) next = std::min(next, net_.next_delivery());
      const bool can_send = now_ < start + send_until;
      if (can_send) next = std::min({next, next_video, next_audio});
      if (next >= start + run_until && !(can_send && next == start + run_until)) {
        now_ = start + run_until;
        break;
      }
      now_ = std::max(now_, next);

      if (can_send && now_ >= next_video) {
        for (int i = 0; i < 2; ++i) {
          if (!sending[i]) continue;
          EncodedFrame f;
          f.keyframe = peers_[i].force_keyframe || frame % 90 == 0;
          peers_[i].force_keyframe = false;
          f.data = fake_access_unit(frame, f.keyframe, f.keyframe ? 6000 : 1500);
          f.rtp_timestamp = frame * 3000;
          f.capture_time = now_;
          peers_[i].session->send_video(f, now_);
        }
        ++frame;
        frames_sent_ = frame;
        next_video += microseconds(33333);
      }
      if (can_send && now_ >= next_audio) {
        for (int i = 0; i < 2; ++i) {
          if (!sending[i]) continue;
          EncodedFrame a;
          a.data = {0x78, uint8_t(audio_sent_), uint8_t(audio_sent_ >> 8), 3, 4};
          a.rtp_timestamp = audio_sent_ * 960;
          a.capture_time = now_;
          peers_[i].session->send_audio(a, now_);
        }
        ++audio_sent_;
        next_audio += milliseconds(20);
      }
      while (net_.has_pending() && net_.next_delivery() <= now_) {
        auto d = net_.pop();
        peers_[d.to].session->handle_datagram(d.datagram, now_);
      }
      for (auto& p : peers_) p.session->handle_timeout(now_);
      drain();
    }
    drain();
  }

  void drain() {
    for (int i = 0; i < 2; ++i) {
      Peer& p = peers_[i];
      while (auto out = p.session->poll_output()) {
        if (auto* t = std::get_if<Transmit>(&*out)) {
          net_.send(i, std::move(t->datagram), now_, model_);
          continue;
        }
        auto& ev = std::get<SessionEvent>(*out);
        if (auto* v = std::get_if<VideoReceived>(&ev)) p.video.push_back(v->frame);
        if (auto* a = std::get_if<AudioReceived>(&ev)) p.audio.push_back(*a);
        if (std::holds_alternative<KeyframeRequested>(ev)) {
          ++p.keyframe_requests;
          p.force_keyframe = true;
        }
        if (std::holds_alternative<PeerHungUp>(ev)) p.hung_up = true;
        if (std::holds_alternative<PeerTimedOut>(ev)) p.timed_out = true;
      }
    }
  }

  Peer& peer(int i) { return peers_[i]; }
  Instant now() const { return now_; }
  uint32_t frames_sent() const { return frames_sent_; }
  uint32_t audio_sent() const { return audio_sent_; }
  SimulatedNetwork& network() { return net_; }

 private:
  LinkModel model_;
  SimulatedNetwork net_;
  Instant now_ = instant_from_micros(1'000'000'000);
  std::array<Peer, 2> peers_;
  uint32_t frames_sent_ = 0;
  uint32_t audio_sent_ = 0;
};

TEST(PeerSession, PerfectNetworkDeliversEveryFrameIntactAndInOrder) {
  Call call(LinkModel{milliseconds(20)}, 1);
  call.run(seconds(3), seconds(4));
  for (int side = 0; side < 2; ++side) {
    const Peer& rx = call.peer(side);
    ASSERT_EQ(rx.video.size(), call.frames_sent()) << "side " << side;
    for (uint32_t i = 0; i < rx.video.size(); ++i) {
      EXPECT_EQ(frame_number(rx.video[i]), i);
      const bool key = rx.video[i].keyframe;  // periodic, or asked for by the receiver
      if (i % 90 == 0) EXPECT_TRUE(key) << i;
      // Byte-exact (4-byte start codes both ways).
      EXPECT_EQ(rx.video[i].data, fake_access_unit(i, key, key ? 6000 : 1500)) << i;
    }
    EXPECT_EQ(rx.audio.size(), call.audio_sent());
    for (const auto& a : rx.audio) EXPECT_EQ(a.lost_before, 0u);
    const SessionStats s = rx.session->stats();
    EXPECT_EQ(s.video_in.packets_lost, 0);
    EXPECT_EQ(s.video_in.frames_lost, 0u);
    ASSERT_TRUE(s.rtt.has_value());
    EXPECT_NEAR(to_micros(*s.rtt) / 1000.0, 40.0, 1.0);  // 20 ms each way
    EXPECT_FALSE(rx.timed_out);
  }
}

TEST(PeerSession, ReceivedFramesAreTimedOnTheSendersClock) {
  Call call(LinkModel{milliseconds(20), milliseconds(10)}, 2);
  call.run(seconds(2), seconds(3));
  const auto& v = call.peer(1).video;
  ASSERT_GT(v.size(), 50u);
  // Frames are 33.3 ms apart in RTP time. The mapping follows the least
  // delayed packet, so after it has seen a few dozen it keeps that spacing
  // despite 10 ms of jitter, and never claims a capture after the arrival.
  for (size_t i = 30; i < v.size(); ++i)
    EXPECT_NEAR(to_micros(v[i].capture_time - v[i - 1].capture_time), 33333, 1000) << i;
}

TEST(PeerSession, WithoutNackFivePercentLossRecoversThroughKeyframeRequests) {
  Call call(LinkModel{milliseconds(20), Duration::zero(), 0.05}, 42, false);
  call.run(seconds(10), seconds(11));
  for (int side = 0; side < 2; ++side) {
    const Peer& rx = call.peer(side);
    const Peer& tx = call.peer(1 - side);
    const SessionStats s = rx.session->stats();
    EXPECT_GT(s.video_in.packets_lost, 0);
    EXPECT_GT(s.video_in.frames_lost, 0u);
    EXPECT_GT(s.video_in.keyframe_requests_sent, 0u);
    EXPECT_GT(tx.keyframe_requests, 0);
    // Each request goes twice (a lost one would cost a round trip more): the
    // sender hears more requests than were made, though some copies are lost.
    EXPECT_GT(uint64_t(tx.keyframe_requests), s.video_in.keyframe_requests_sent);
    // Delivered frames are whole, in order, and after any gap the next one is a keyframe.
    ASSERT_GT(rx.video.size(), 100u);
    uint32_t prev = frame_number(rx.video[0]);
    EXPECT_TRUE(rx.video[0].keyframe);
    for (size_t i = 1; i < rx.video.size(); ++i) {
      const uint32_t n = frame_number(rx.video[i]);
      ASSERT_GT(n, prev) << "side " << side << " frame " << i;
      if (n != prev + 1) EXPECT_TRUE(rx.video[i].keyframe) << "frame " << n << " after " << prev;
      prev = n;
    }
    // Lost audio is reported for concealment.
    uint32_t concealed = 0;
    for (const auto& a : rx.audio) concealed += a.lost_before;
    EXPECT_GT(concealed, 0u);
    // Only the packets lost at the very end go unreported.
    EXPECT_NEAR(double(rx.audio.size() + concealed), double(call.audio_sent()), 3);
  }
}

TEST(PeerSession, ReorderingIsAbsorbed) {
  // 15 ms of jitter against ~1-2 ms packet spacing: heavy reordering, no loss.
  Call call(LinkModel{milliseconds(10), milliseconds(15)}, 7);
  call.run(seconds(3), seconds(4));
  const Peer& rx = call.peer(1);
  const SessionStats s = rx.session->stats();
  EXPECT_GT(s.video_in.packets_reordered, 0u);
  EXPECT_EQ(s.video_in.frames_lost, 0u);
  EXPECT_EQ(rx.video.size(), call.frames_sent());
}

TEST(PeerSession, ByeEndsTheCallOnTheOtherSide) {
  Call call(LinkModel{milliseconds(20)}, 3);
  call.run(seconds(1), seconds(1));
  call.peer(0).session->close(call.now());
  call.drain();
  call.run(Duration::zero(), milliseconds(100));
  EXPECT_TRUE(call.peer(1).hung_up);
  EXPECT_FALSE(call.peer(1).timed_out);
}

// Runs side 1 alone (nothing arrives) until `until` or `stop` returns true for an event.
template <class Stop>
Instant run_deaf(PeerSession& b, Instant from, Duration until, Stop stop, std::vector<SessionEvent>* seen = nullptr) {
  Instant t = from;
  while (t < from + until) {
    t = b.next_timeout();
    b.handle_timeout(t);
    bool done = false;
    while (auto out = b.poll_output())
      if (auto* ev = std::get_if<SessionEvent>(&*out)) {
        if (seen) seen->push_back(*ev);
        done |= stop(*ev);
      }
    if (done) break;
  }
  return t;
}

TEST(PeerSession, SilentPeerGoesQuietAfterThreeSecondsAndIsGivenUpAfterFifteen) {
  Call call(LinkModel{milliseconds(20)}, 4);
  call.run(seconds(1), seconds(1));
  // Side 0 vanishes: from now on side 1 hears nothing.
  const Instant vanished = call.now();
  auto& b = *call.peer(1).session;
  std::vector<SessionEvent> seen;
  const Instant quiet = run_deaf(b, vanished, seconds(30),
                                 [](const SessionEvent& e) { return std::holds_alternative<PeerQuiet>(e); }, &seen);
  ASSERT_FALSE(seen.empty());
  ASSERT_TRUE(std::holds_alternative<PeerQuiet>(seen.back()));
  EXPECT_TRUE(std::get<PeerQuiet>(seen.back()).quiet);
  EXPECT_GE(quiet - vanished, milliseconds(2500));
  EXPECT_LE(quiet - vanished, seconds(3));
  const Instant gone = run_deaf(b, quiet, seconds(30),
                                [](const SessionEvent& e) { return std::holds_alternative<PeerTimedOut>(e); }, &seen);
  ASSERT_TRUE(std::holds_alternative<PeerTimedOut>(seen.back()));
  EXPECT_GE(gone - vanished, milliseconds(14500));
  EXPECT_LE(gone - vanished, seconds(15));
  EXPECT_GE(std::get<PeerTimedOut>(seen.back()).silent_for, milliseconds(14500));
  // Quiet is said once, not on every timeout.
  EXPECT_EQ(std::count_if(seen.begin(), seen.end(),
                          [](const SessionEvent& e) { return std::holds_alternative<PeerQuiet>(e); }),
            1);
}

TEST(PeerSession, QuietPeerThatComesBackIsSaidToBeBackAndTheCallGoesOn) {
  Call call(LinkModel{milliseconds(20)}, 5);
  call.run(seconds(1), seconds(1));
  auto& a = *call.peer(0).session;
  auto& b = *call.peer(1).session;
  const Instant dropped = call.now();
  const Instant t = run_deaf(b, dropped, seconds(5), [](const SessionEvent&) { return false; });
  // Side 0 speaks again (its RTCP, due after that long): side 1 hears it.
  a.handle_timeout(t);
  bool back = false, gone = false;
  while (auto out = a.poll_output())
    if (auto* tx = std::get_if<Transmit>(&*out)) b.handle_datagram(tx->datagram, t);
  while (auto out = b.poll_output())
    if (auto* ev = std::get_if<SessionEvent>(&*out)) {
      if (auto* q = std::get_if<PeerQuiet>(ev)) {
        back |= !q->quiet;
        EXPECT_GE(q->silent_for, seconds(4));
      }
      gone |= std::holds_alternative<PeerTimedOut>(*ev);
    }
  EXPECT_TRUE(back);
  EXPECT_FALSE(gone);
}

TEST(PeerSession, GarbageIsCountedNotFatal) {
  PeerSession s(config_for(0), instant_from_micros(0));
  std::mt19937 rng(99);
  for (int i = 0; i < 20000; ++i) {
    Bytes junk(rng() % 1500);
    for (auto& b : junk) b = uint8_t(rng());
    if (!junk.empty() && i % 2) junk[0] = 0x80;  // looks like RTP v2
    if (junk.size() > 1 && i % 4 == 1) junk[1] = uint8_t(200 + rng() % 8);  // looks like RTCP
    s.handle_datagram(junk, instant_from_micros(i * 1000));
    while (s.poll_output()) {
    }
  }
  const SessionStats st = s.stats();
  EXPECT_GT(st.datagrams_malformed + st.datagrams_unexpected, 1000u);
}


// RTCP naming sources nobody signalled or sent is counted, never obeyed: a
// BYE from a stranger does not end the call, a PLI for another SSRC asks for nothing.
TEST(PeerSession, RtcpFromUnknownSourcesIsIgnoredAndCounted) {
  Call call(LinkModel{milliseconds(20)}, 5);
  call.run(seconds(1), seconds(1));
  auto& b = *call.peer(1).session;
  const Instant t = call.now();
  b.handle_datagram(write_rtcp_compound({ReceiverReport{0xdead, {}}, Bye{{0xdead}}}), t);
  b.handle_datagram(write_rtcp_compound({ReceiverReport{0xdead, {}}, PictureLossIndication{0xdead, 0xbeef}}), t);
  bool hung_up = false, asked = false;
  while (auto out = b.poll_output()) {
    if (auto* ev = std::get_if<SessionEvent>(&*out)) {
      hung_up |= std::holds_alternative<PeerHungUp>(*ev);
      asked |= std::holds_alternative<KeyframeRequested>(*ev);
    }
  }
  EXPECT_FALSE(hung_up);
  EXPECT_FALSE(asked);
  EXPECT_EQ(b.stats().rtcp_unknown_ssrc, 2u);
  // The real peer's BYE (its media SSRC) still ends it.
  b.handle_datagram(write_rtcp_compound({ReceiverReport{0x1001, {}}, Bye{{0x1001}}}), t);
  while (auto out = b.poll_output())
    if (auto* ev = std::get_if<SessionEvent>(&*out)) hung_up |= std::holds_alternative<PeerHungUp>(*ev);
  EXPECT_TRUE(hung_up);
}

TEST(PeerSession, FivePercentLossIsRepairedByNackWithPlainResends) {
  Call call(LinkModel{milliseconds(20), Duration::zero(), 0.05}, 42);
  call.run(seconds(10), seconds(11));
  for (int side = 0; side < 2; ++side) {
    const Peer& rx = call.peer(side);
    const SessionStats s = rx.session->stats();
    const SessionStats tx = call.peer(1 - side).session->stats();
    EXPECT_GT(s.video_in.nacks_sent, 10u);
    EXPECT_GT(tx.video_out.nacks_received, 10u);
    EXPECT_GT(tx.video_out.packets_retransmitted, 10u);
    EXPECT_GT(s.video_in.packets_recovered, 10u);
    EXPECT_EQ(s.video_in.rtx_received, 0u);  // no RTX negotiated: resent on the media SSRC
    EXPECT_LE(s.video_in.frames_lost, 1u);
    EXPECT_LE(s.video_in.keyframe_requests_sent, 2u);
    EXPECT_GE(rx.video.size(), call.frames_sent() - 2);
    for (size_t i = 1; i < rx.video.size(); ++i)
      ASSERT_GT(frame_number(rx.video[i]), frame_number(rx.video[i - 1]));
  }
}

// A NACK naming an SSRC we do not send is counted and answered with nothing.
TEST(PeerSession, NackForAnUnknownSourceIsIgnoredAndCounted) {
  Call call(LinkModel{milliseconds(20)}, 6);
  call.run(seconds(1), seconds(1));
  auto& b = *call.peer(1).session;
  b.handle_datagram(write_rtcp_compound({ReceiverReport{0x1001, {}}, GenericNack{0x1001, 0xbeef, {1, 2}}}),
                    call.now());
  EXPECT_FALSE(b.poll_output());
  EXPECT_EQ(b.stats().rtcp_unknown_ssrc, 1u);
  EXPECT_EQ(b.stats().video_out.packets_retransmitted, 0u);
}

// RTX: the answer to a NACK carries the original payload after its sequence
// number on the RTX SSRC and payload type; the receiver learns that SSRC from
// the RTX payload type and puts the packet back into the media stream.
TEST(PeerSession, RtxRepairsALostPacketAndIsLearnedByPayloadType) {
  auto config = [](int side) {
    SessionConfig c = config_for(side);
    c.streams[1].rtx_payload_type = 97;
    c.streams[1].local_rtx_ssrc = side == 0 ? 0x1003 : 0x2003;
    return c;
  };
  Instant now = instant_from_micros(10'000'000);
  PeerSession a(config(0), now), b(config(1), now);
  auto to_b = [&](PeerSession& from, bool drop_second_video) -> std::vector<Bytes> {
    std::vector<Bytes> sent;
    int video = 0;
    while (auto out = from.poll_output()) {
      auto* t = std::get_if<Transmit>(&*out);
      if (!t) continue;
      sent.push_back(t->datagram);
      if (!is_rtcp(t->datagram) && drop_second_video && ++video == 2) continue;
      b.handle_datagram(t->datagram, now);
    }
    return sent;
  };
  EncodedFrame key;
  key.keyframe = true;
  key.data = fake_access_unit(0, true, 3000);  // three packets
  a.send_video(key, now);
  to_b(a, true);  // the middle packet is lost
  // b NACKs it at once, in a compound RTCP starting with an RR.
  Bytes nack;
  bool delivered = false;
  while (auto out = b.poll_output()) {
    if (auto* t = std::get_if<Transmit>(&*out); t && is_rtcp(t->datagram)) {
      auto parsed = parse_rtcp_compound(t->datagram);
      ASSERT_TRUE(parsed);
      for (const auto& p : *parsed)
        if (std::holds_alternative<GenericNack>(p)) nack = t->datagram;
    }
    if (auto* ev = std::get_if<SessionEvent>(&*out)) delivered |= std::holds_alternative<VideoReceived>(*ev);
  }
  ASSERT_FALSE(nack.empty());
  EXPECT_FALSE(delivered);
  auto parsed = parse_rtcp_compound(nack);
  EXPECT_TRUE(std::holds_alternative<ReceiverReport>(parsed->front()));
  EXPECT_EQ(std::get<GenericNack>(parsed->back()).media_ssrc, 0x1001u);
  EXPECT_EQ(std::get<GenericNack>(parsed->back()).lost_sequence_numbers.size(), 1u);

  now += milliseconds(20);
  a.handle_datagram(nack, now);
  a.handle_datagram(nack, now);  // a duplicate NACK within RTT/2: no second resend
  std::vector<Bytes> resent;
  while (auto out = a.poll_output())
    if (auto* t = std::get_if<Transmit>(&*out)) resent.push_back(t->datagram);
  ASSERT_EQ(resent.size(), 1u);
  auto rtx = parse_rtp(resent[0]);
  ASSERT_TRUE(rtx);
  EXPECT_EQ(rtx->header.ssrc, 0x1003u);
  EXPECT_EQ(rtx->header.payload_type, 97);
  EXPECT_EQ(a.stats().video_out.nacks_received, 2u);
  EXPECT_EQ(a.stats().video_out.packets_retransmitted, 1u);

  now += milliseconds(20);
  b.handle_datagram(resent[0], now);
  std::vector<EncodedFrame> frames;
  while (auto out = b.poll_output())
    if (auto* ev = std::get_if<SessionEvent>(&*out))
      if (auto* v = std::get_if<VideoReceived>(ev)) frames.push_back(v->frame);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].data, key.data);
  const SessionStats s = b.stats();
  EXPECT_EQ(s.video_in.rtx_received, 1u);
  EXPECT_EQ(s.video_in.packets_recovered, 1u);
  EXPECT_EQ(s.video_in.packets_lost, 1);  // before recovery
  EXPECT_EQ(s.video_in.frames_lost, 0u);
  EXPECT_EQ(s.video_in.keyframe_requests_sent, 0u);
}

}  // namespace
}  // namespace peercall
