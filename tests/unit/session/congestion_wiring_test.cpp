// The issue-10 wiring of PeerSession, two sessions driven by hand on a
// virtual clock: audio reaches the jitter buffer out of order, transport-wide
// sequence numbers and feedback, the TargetBitrate event, FlexFEC repair, and
// the helpers behind them.
#include <gtest/gtest.h>

#include <array>
#include <functional>
#include <map>

#include "../../sim/fake_media.hpp"
#include "rtp/rtcp_packet.hpp"
#include "rtp/rtp_header_extensions.hpp"
#include "session/congestion_controller.hpp"
#include "session/link_loss_estimator.hpp"
#include "session/peer_session.hpp"

namespace peercall {
namespace {

constexpr uint8_t kTcc = 5;

SessionConfig config_for(int side, uint8_t tcc, bool fec, bool nack = true) {
  const uint32_t base = side == 0 ? 0x1000 : 0x2000;
  const uint32_t other = side == 0 ? 0x2000 : 0x1000;
  SessionConfig c;
  StreamConfig audio{MediaKind::kAudio, "0", true, true, 111, 48000, base + 2, other + 2};
  StreamConfig video{MediaKind::kVideo, "1", true, true, 96, 90000, base + 1, other + 1};
  video.nack = nack;
  if (fec) {
    video.fec_payload_type = 98;
    video.local_fec_ssrc = base + 4;
    video.remote_fec_ssrc = other + 4;
  }
  c.streams = {audio, video};
  c.random_seed = 40 + side;
  c.transport_cc_extension_id = tcc;
  return c;
}

// Datagrams in flight from one side to the other; `drop` may discard or
// hold them (true: not delivered).
struct Pair {
  std::array<std::unique_ptr<PeerSession>, 2> s;
  std::array<std::vector<SessionEvent>, 2> events;
  std::array<std::vector<Bytes>, 2> sent;  // every datagram each side sent
  std::function<bool(int from, const Bytes&)> drop = [](int, const Bytes&) { return false; };
  Instant now = instant_from_micros(5'000'000);

  Pair(const SessionConfig& a, const SessionConfig& b) {
    s[0] = std::make_unique<PeerSession>(a, now);
    s[1] = std::make_unique<PeerSession>(b, now);
  }
  void pump() {
    for (int round = 0; round < 20; ++round) {
      bool any = false;
      for (int i = 0; i < 2; ++i)
        while (auto out = s[i]->poll_output()) {
          any = true;
          if (auto* t = std::get_if<Transmit>(&*out)) {
            sent[i].push_back(t->datagram);
            if (!drop(i, t->datagram)) s[1 - i]->handle_datagram(t->datagram, now);
          } else {
            events[i].push_back(std::get<SessionEvent>(*out));
          }
        }
      if (!any) return;
    }
  }
  // Advances the clock to `until`, firing every timeout on the way.
  void advance(Duration d) {
    const Instant until = now + d;
    while (true) {
      Instant next = std::min(s[0]->next_timeout(), s[1]->next_timeout());
      if (next > until) break;
      now = std::max(now, next);
      for (auto& x : s) x->handle_timeout(now);
      pump();
    }
    now = until;
    for (auto& x : s) x->handle_timeout(now);
    pump();
  }
  void send_frame(int side, uint32_t n, bool key, size_t body) {
    EncodedFrame f;
    f.keyframe = key;
    f.data = sim::fake_access_unit(n, key, body);
    f.rtp_timestamp = n * 3000;
    f.capture_time = now;
    s[side]->send_video(f, now);
    pump();
  }
  void send_audio(int side, uint32_t n) {
    EncodedFrame a;
    a.data = {0x78, uint8_t(n), 1, 2, 3};
    a.rtp_timestamp = n * 960;
    a.capture_time = now;
    s[side]->send_audio(a, now);
    pump();
  }
  template <class E>
  std::vector<E> got(int side) const {
    std::vector<E> out;
    for (const auto& e : events[side])
      if (auto* x = std::get_if<E>(&e)) out.push_back(*x);
    return out;
  }
};

bool is_rtp(const Bytes& d) { return !is_rtcp(d); }
uint32_t ssrc_of(const Bytes& d) { return parse_rtp(d)->header.ssrc; }

TEST(CongestionWiring, ReorderedAudioIsDeliveredWithItsSequenceNumber) {
  Pair p(config_for(0, 0, false), config_for(1, 0, false));
  std::vector<Bytes> held;
  p.drop = [&](int from, const Bytes& d) {
    if (from == 0 && is_rtp(d) && ssrc_of(d) == 0x1002 && held.empty() && parse_rtp(d)->payload[1] == 1) {
      held.push_back(d);  // audio packet 1: delivered after packet 2
      return true;
    }
    return false;
  };
  for (uint32_t n = 0; n < 3; ++n) {
    p.send_audio(0, n);
    p.advance(milliseconds(20));
  }
  ASSERT_EQ(held.size(), 1u);
  p.s[1]->handle_datagram(held[0], p.now);
  p.s[1]->handle_datagram(held[0], p.now);  // a duplicate is still dropped
  p.pump();
  const auto audio = p.got<AudioReceived>(1);
  ASSERT_EQ(audio.size(), 3u);
  EXPECT_EQ(uint16_t(audio[1].sequence - audio[0].sequence), 2);  // packet 2 first, one lost before it
  EXPECT_EQ(audio[1].lost_before, 1u);
  EXPECT_EQ(uint16_t(audio[2].sequence - audio[0].sequence), 1);  // then the late one
  EXPECT_EQ(audio[2].lost_before, 0u);
  EXPECT_EQ(audio[2].frame.data[1], 1);
}

TEST(CongestionWiring, EveryRtpPacketCarriesConsecutiveTransportSequenceNumbers) {
  Pair p(config_for(0, kTcc, true), config_for(1, kTcc, true));
  for (uint32_t n = 0; n < 30; ++n) {
    p.send_frame(0, n, n == 0, 3000);
    p.send_audio(0, n);
    p.advance(milliseconds(33));
  }
  std::optional<uint16_t> last;
  size_t rtp = 0, fec = 0;
  for (const Bytes& d : p.sent[0]) {
    if (!is_rtp(d)) continue;
    ++rtp;
    if (ssrc_of(d) == 0x1004) ++fec;
    auto seq = read_transport_sequence(d, kTcc);
    ASSERT_TRUE(seq.has_value());
    if (last) {
      EXPECT_EQ(*seq, uint16_t(*last + 1));
    }
    last = seq;
  }
  EXPECT_GT(rtp, 100u);
  // The peer answered with transport feedback; the estimate came out as events.
  const SessionStats tx = p.s[0]->stats(), rx = p.s[1]->stats();
  EXPECT_TRUE(tx.congestion.transport_cc);
  EXPECT_GT(rx.congestion.transport_feedback_sent, 5u);
  EXPECT_EQ(tx.congestion.transport_feedback_received, rx.congestion.transport_feedback_sent);
  EXPECT_GT(tx.congestion.acknowledged_bps.value_or(0), 0);
  const auto targets = p.got<TargetBitrate>(0);
  ASSERT_FALSE(targets.empty());
  EXPECT_EQ(targets.front().total_bps, 1'000'000);  // the start rate, at once
  EXPECT_LT(targets.front().video_bps, targets.front().total_bps - 40'000);
  EXPECT_EQ(fec, 0u);  // no loss measured: no FEC
}

TEST(CongestionWiring, AKeyframeDropsTheVideoStillQueuedBeforeItAndNoNackBringsItBack) {
  Pair p(config_for(0, kTcc, false), config_for(1, kTcc, false));
  p.send_frame(0, 0, true, 3000);
  p.advance(milliseconds(33));
  auto video_sent = [&] {
    return std::count_if(p.sent[0].begin(), p.sent[0].end(),
                         [](const Bytes& d) { return is_rtp(d) && ssrc_of(d) == 0x1001; });
  };
  // 60 kB of P-frames at once, far beyond the pacer's 40 ms at 2.5 Mbit/s
  // (a congested link's backlog), then a keyframe.
  for (uint32_t n = 1; n <= 3; ++n) p.send_frame(0, n, false, 20'000);
  const auto before_keyframe = video_sent();
  p.send_frame(0, 4, true, 3000);
  const uint64_t superseded = p.s[0]->stats().video_out.packets_superseded;
  EXPECT_GT(superseded, 20u);
  p.advance(milliseconds(300));
  // Only the keyframe's packets left after it; the receiver saw the gap and
  // jumped to the whole keyframe, and nothing from before it was resent.
  EXPECT_LE(video_sent() - before_keyframe, 4);
  const auto frames = p.got<VideoReceived>(1);
  ASSERT_FALSE(frames.empty());
  EXPECT_TRUE(frames.back().frame.keyframe);
  EXPECT_EQ(p.s[0]->stats().video_out.packets_retransmitted, 0u);
}

TEST(CongestionWiring, WithoutTransportCcNoExtensionNoFeedbackNoTarget) {
  Pair p(config_for(0, 0, false), config_for(1, 0, false));
  for (uint32_t n = 0; n < 30; ++n) {
    p.send_frame(0, n, n == 0, 3000);
    p.advance(milliseconds(33));
  }
  for (const Bytes& d : p.sent[0])
    if (is_rtp(d)) {
      EXPECT_EQ(d[0] & 0x10, 0) << "no header extension";
    }
  EXPECT_TRUE(p.got<TargetBitrate>(0).empty());
  EXPECT_EQ(p.s[1]->stats().congestion.transport_feedback_sent, 0u);
  EXPECT_EQ(p.got<VideoReceived>(1).size(), 30u);
  EXPECT_GT(p.s[0]->stats().congestion.pacing_rate_bps, 6'000'000);  // 2.5 x max
}

TEST(CongestionWiring, FlexFecRebuildsALostPacketWithoutNack) {
  // No NACK: only FEC can repair. Loss is measured from the receiver reports
  // first (RTCP), so run a lossy warm-up, then check one frame's repair.
  Pair p(config_for(0, kTcc, true, false), config_for(1, kTcc, true, false));
  int media = 0;
  p.drop = [&](int from, const Bytes& d) {
    if (from != 0 || !is_rtp(d) || ssrc_of(d) != 0x1001) return false;
    return ++media % 10 == 5;  // 10% of the video packets
  };
  size_t asked = 0;
  for (uint32_t n = 0; n < 150; ++n) {
    const size_t requests = p.got<KeyframeRequested>(0).size();
    p.send_frame(0, n, n == 0 || requests > asked, 5000);
    asked = requests;
    p.advance(milliseconds(33));
  }
  const SessionStats tx = p.s[0]->stats(), rx = p.s[1]->stats();
  EXPECT_GT(tx.video_out.fec_packets_sent, 50u);
  EXPECT_GT(tx.video_out.fec_protection_loss, 0.05);
  EXPECT_EQ(rx.video_in.fec_packets_received, tx.video_out.fec_packets_sent);
  EXPECT_GT(rx.video_in.packets_recovered_by_fec, 20u);
  EXPECT_EQ(rx.video_in.nacks_sent, 0u);
  // Recovered packets are not counted as received (the loss before recovery).
  EXPECT_GT(rx.video_in.packets_lost, 20);
  // Once FEC runs, every frame arrives intact.
  const auto video = p.got<VideoReceived>(1);
  EXPECT_GT(video.size(), 120u);
  EXPECT_LT(rx.video_in.frames_lost, 10u);
  for (const auto& v : video)
    EXPECT_EQ(v.frame.data, sim::fake_access_unit(sim::frame_number(v.frame), v.frame.keyframe, 5000));
}

TEST(CongestionWiring, StampAddsOrOverwritesTheExtension) {
  RtpHeader h;
  h.payload_type = 96;
  h.sequence_number = 7;
  h.ssrc = 0xabc;
  const Bytes payload = {1, 2, 3, 4};
  Bytes packet;
  write_rtp(h, payload, packet);
  ASSERT_TRUE(stamp_transport_sequence(packet, kTcc, 0x1234));
  EXPECT_EQ(read_transport_sequence(packet, kTcc), 0x1234);
  const size_t size = packet.size();
  ASSERT_TRUE(stamp_transport_sequence(packet, kTcc, 0x1235));
  EXPECT_EQ(packet.size(), size);  // in place
  EXPECT_EQ(read_transport_sequence(packet, kTcc), 0x1235);
  auto parsed = parse_rtp(packet);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->header.sequence_number, 7);
  EXPECT_EQ(Bytes(parsed->payload.begin(), parsed->payload.end()), payload);
  Bytes junk = {1, 2, 3};
  EXPECT_FALSE(stamp_transport_sequence(junk, kTcc, 1));
}

TEST(CongestionWiring, LinkLossEstimatorMeasuresLossAndBursts) {
  LinkLossEstimator loss(100);
  TransportFeedbackReport r;
  for (int i = 0; i < 100; ++i) {
    PacketResult p;
    p.transport_sequence = i;
    if (i % 20 >= 2) p.arrival = Instant{} + milliseconds(i);  // runs of 2 lost every 20
    r.packets.push_back(p);
  }
  loss.on_feedback(r);
  EXPECT_NEAR(loss.loss_rate(), 0.10, 1e-9);
  EXPECT_EQ(loss.burst_length(), 2u);
  LinkLossEstimator rr;
  rr.on_fraction_lost(0.04);
  EXPECT_NEAR(rr.loss_rate(), 0.04, 1e-9);
  EXPECT_EQ(rr.burst_length(), 1u);
}

// A collapse's overflow is not the link's loss: FEC must not be sized for it.
TEST(CongestionWiring, LinkLossEstimatorForgetsTheOverflowOfACollapse) {
  LinkLossEstimator loss(100);
  const Instant t0 = Instant{} + seconds(10);
  auto report = [&](int first, int count, Instant sent, bool all_lost) {
    TransportFeedbackReport r;
    for (int i = first; i < first + count; ++i) {
      PacketResult p;
      p.transport_sequence = i;
      p.send_time = sent;
      if (!all_lost) p.arrival = sent + milliseconds(20);
      r.packets.push_back(p);
    }
    return r;
  };
  loss.on_feedback(report(0, 40, t0, true));  // a drop-tail queue overflowing
  loss.on_fraction_lost(0.8);
  ASSERT_GT(loss.loss_rate(), 0.5);
  loss.restart(t0 + milliseconds(500));
  EXPECT_EQ(loss.loss_rate(), 0.0);
  // Outcomes of packets sent before the restart, reported late, are ignored too.
  loss.on_feedback(report(40, 20, t0 + milliseconds(400), true));
  loss.on_feedback(report(60, 20, t0 + milliseconds(600), false));
  EXPECT_EQ(loss.loss_rate(), 0.0);
  loss.on_feedback(report(80, 20, t0 + milliseconds(700), true));
  EXPECT_NEAR(loss.loss_rate(), 0.5, 1e-9) << "what is lost after it counts";
}

}  // namespace
}  // namespace peercall
