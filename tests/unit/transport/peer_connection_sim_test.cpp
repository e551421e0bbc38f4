// The whole encrypted stack, end to end and sans-I/O: two PeerConnections
// (DTLS-SRTP channel + media session) joined by a seeded simulated network on
// a virtual clock that jumps to the next delivery or timeout (never the real
// clock). Every datagram on the wire is kept, to prove nothing goes out plain.
#include "transport/peer_connection.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <functional>

#include "../../sim/fake_media.hpp"
#include "../../sim/simulated_network.hpp"
#include "transport/packet_class.hpp"

namespace peercall {
namespace {

using sim::LinkModel;
using sim::SimulatedNetwork;
using sim::fake_access_unit;

constexpr uint8_t kAudioPt = 111;
constexpr uint8_t kVideoPt = 96;
// Far from the clock's epoch, so nothing that read a real clock could agree with it.
const Instant kT0 = Instant(std::chrono::hours(24 * 365 * 20));

std::shared_ptr<const Identity> make_identity(const char* name) {
  auto id = Identity::generate(name);
  EXPECT_TRUE(id) << id.error();
  return *id;
}
const std::shared_ptr<const Identity>& alice() {
  static auto id = make_identity("alice");
  return id;
}
const std::shared_ptr<const Identity>& bob() {
  static auto id = make_identity("bob");
  return id;
}
const std::shared_ptr<const Identity>& mallory() {
  static auto id = make_identity("mallory");
  return id;
}

// As src/app/connection_config.cpp fills it: Opus PT 111 at 48 kHz, H.264 PT 96
// at 90 kHz, our SSRCs, the remote ones learnt (0).
PeerConnectionConfig config_for(int side, std::shared_ptr<const Identity> own, const Fingerprint& expected,
                                uint64_t seed = 99) {
  PeerConnectionConfig c;
  const uint32_t base = side == 0 ? 0x1000 : 0x2000;
  c.session.streams = {{MediaKind::kAudio, "0", true, true, kAudioPt, 48000, base + 2, 0},
                       {MediaKind::kVideo, "1", true, true, kVideoPt, 90000, base + 1, 0}};
  c.session.cname = side == 0 ? "alice" : "bob";
  c.session.random_seed = seed + side;
  c.dtls.role = side == 0 ? DtlsRole::kClient : DtlsRole::kServer;
  c.dtls.identity = std::move(own);
  c.dtls.expected_remote = expected;
  return c;
}

// The longest run of bytes following the fake access units' body pattern
// (each byte 1 + (7 i + n) mod 250: the next is the previous + 7, wrapping in
// 1..250), wherever in the datagram and for whichever frame n. Plaintext of
// any frame has runs of hundreds; ciphertext next to none.
size_t longest_body_run(const Bytes& d) {
  size_t best = 0, run = 0;
  for (size_t k = 1; k < d.size(); ++k) {
    const bool follows = d[k - 1] >= 1 && d[k - 1] <= 250 && d[k] == 1 + (d[k - 1] - 1 + 7) % 250;
    run = follows ? run + 1 : 0;
    best = std::max(best, run);
  }
  return best;
}

struct Side {
  std::unique_ptr<PeerConnection> pc;
  std::vector<EncodedFrame> video;
  std::vector<AudioReceived> audio;
  std::vector<std::string> messages;  // PeerMessage texts
  std::vector<Bytes> video_sent;  // what we sent after we were connected
  bool connected = false, hung_up = false, timed_out = false;
  std::string failure;  // ConnectionFailed reason
  bool failed() const { return !failure.empty(); }
  bool force_keyframe = true;
};

// Two peers on one simulated link. `loss_until_connected` applies until both
// sides are connected (the handshake), `model` always.
class SecureCall {
 public:
  SecureCall(PeerConnectionConfig a, PeerConnectionConfig b, uint64_t seed) : net_(seed) {
    replace(0, std::move(a));
    replace(1, std::move(b));
  }

  // A new PeerConnection on `side` (as after an ICE restart); the old one is gone.
  void replace(int side, PeerConnectionConfig config) {
    auto pc = PeerConnection::create(config, now_);
    ASSERT_TRUE(pc) << pc.error();
    sides_[side] = Side{};
    sides_[side].pc = std::move(*pc);
  }

  void start() {
    for (int i = 0; i < 2; ++i) sides_[i].pc->on_writable(now_);  // as ICE would
    drain();
  }

  // Runs the clock to now + `span`, sending 30 fps video and 50 pps audio from
  // both sides while `sending`, stopping early once `done` holds.
  void run(Duration span, bool sending, const std::function<bool()>& done = nullptr) {
    const Instant end = now_ + span;
    while (now_ < end && !(done && done())) {
      Instant next = end;
      for (auto& s : sides_)
        if (auto t = s.pc->next_timeout()) next = std::min(next, *t);
      if (net_.has_pending()) next = std::min(next, net_.next_delivery());
      if (sending) next = std::min({next, next_video_, next_audio_});
      now_ = std::max(now_, next);
      while (net_.has_pending() && net_.next_delivery() <= now_) {
        auto d = net_.pop();
        if (classify_packet(d.datagram) == PacketClass::kDtls) ++dtls_delivered_;
        if (deliver_) sides_[d.to].pc->handle_datagram(d.datagram, now_);
      }
      for (auto& s : sides_)
        if (auto t = s.pc->next_timeout(); t && *t <= now_) s.pc->handle_timeout(now_);
      if (sending && now_ >= next_video_) send_video();
      if (sending && now_ >= next_audio_) send_audio();
      drain();
    }
  }

  bool both_connected() const { return sides_[0].connected && sides_[1].connected; }

  Side& side(int i) { return sides_[i]; }
  Instant now() const { return now_; }
  SimulatedNetwork& network() { return net_; }
  const std::vector<std::pair<int, Bytes>>& wire() const { return wire_; }
  // DTLS datagrams the network lost (sent minus delivered, none in flight).
  uint64_t dtls_lost() const { return dtls_sent_ - dtls_delivered_; }
  uint32_t frames_sent() const { return frame_; }

  LinkModel model;
  double loss_until_connected = 0;
  // While false, datagrams are taken off the wire (and logged) but not delivered.
  bool deliver_ = true;

 private:
  void send_video() {
    for (auto& s : sides_) {
      if (s.pc->closed()) continue;
      EncodedFrame f;
      f.keyframe = s.force_keyframe || frame_ % 60 == 0;
      f.data = fake_access_unit(frame_, f.keyframe, f.keyframe ? 3000 : 900);
      f.rtp_timestamp = frame_ * 3000;
      f.capture_time = now_;
      const bool was_connected = s.pc->connected();
      s.pc->send_video(f, now_);
      if (was_connected) {
        s.force_keyframe = false;
        s.video_sent.push_back(f.data);
      }
    }
    ++frame_;
    next_video_ += microseconds(33333);
  }

  void send_audio() {
    for (auto& s : sides_) {
      if (s.pc->closed()) continue;
      EncodedFrame a;
      a.data = {0x78, uint8_t(audio_), uint8_t(audio_ >> 8), 3, 4, 5};
      a.rtp_timestamp = audio_ * 960;
      a.capture_time = now_;
      s.pc->send_audio(a, now_);
    }
    ++audio_;
    next_audio_ += milliseconds(20);
  }

  void drain() {
    for (int i = 0; i < 2; ++i) {
      Side& s = sides_[i];
      while (auto out = s.pc->poll_output()) {
        if (auto* t = std::get_if<Transmit>(&*out)) {
          wire_.emplace_back(i, t->datagram);
          if (classify_packet(t->datagram) == PacketClass::kDtls) ++dtls_sent_;
          LinkModel m = model;
          if (!both_connected()) m.loss = std::max(m.loss, loss_until_connected);
          net_.send(i, std::move(t->datagram), now_, m);
          continue;
        }
        auto& ev = std::get<SessionEvent>(*out);
        if (auto* v = std::get_if<VideoReceived>(&ev)) s.video.push_back(v->frame);
        if (auto* a = std::get_if<AudioReceived>(&ev)) s.audio.push_back(*a);
        if (std::holds_alternative<KeyframeRequested>(ev)) s.force_keyframe = true;
        if (std::holds_alternative<Connected>(ev)) s.connected = true;
        if (auto* m = std::get_if<PeerMessage>(&ev)) s.messages.push_back(m->text);
        if (auto* f = std::get_if<ConnectionFailed>(&ev)) s.failure = f->reason.empty() ? "?" : f->reason;
        if (std::holds_alternative<PeerHungUp>(ev)) s.hung_up = true;
        if (std::holds_alternative<PeerTimedOut>(ev)) s.timed_out = true;
      }
    }
  }

  SimulatedNetwork net_;
  std::array<Side, 2> sides_;
  std::vector<std::pair<int, Bytes>> wire_;  // (sender, datagram), everything ever sent
  Instant now_ = kT0;
  Instant next_video_ = kT0, next_audio_ = kT0;
  uint32_t frame_ = 0, audio_ = 0;
  uint64_t dtls_sent_ = 0, dtls_delivered_ = 0;
};

SecureCall honest_call(uint64_t seed) {
  return SecureCall(config_for(0, alice(), bob()->fingerprint()), config_for(1, bob(), alice()->fingerprint()), seed);
}

// Every datagram on the wire is DTLS or SRTP/SRTCP, and none carries the
// plaintext of a frame.
void expect_nothing_in_the_clear(const SecureCall& call) {
  size_t srtp = 0;
  for (const auto& [from, d] : call.wire()) {
    const PacketClass c = classify_packet(d);
    EXPECT_TRUE(c == PacketClass::kDtls || c == PacketClass::kRtp || c == PacketClass::kRtcp)
        << "side " << from << " sent a datagram of class " << int(c);
    if (c != PacketClass::kDtls) ++srtp;
  }
  for (const auto& [from, d] : call.wire())
    ASSERT_LT(longest_body_run(d), 16u) << "side " << from << " sent frame bytes in the clear";
  EXPECT_GT(srtp, 0u);
}

TEST(SecureCall, PlaintextDetectorSeesFrameBytes) {
  EXPECT_GT(longest_body_run(fake_access_unit(7, false, 900)), 800u);
  EXPECT_GT(longest_body_run(fake_access_unit(123, true, 3000)), 2000u);
}

TEST(SecureCall, CleanLinkConnectsBothAndDeliversFramesIntactInOrder) {
  SecureCall call = honest_call(1);
  call.start();
  call.run(seconds(3), true);

  for (int i = 0; i < 2; ++i) {
    Side& rx = call.side(i);
    Side& tx = call.side(1 - i);
    ASSERT_TRUE(rx.connected) << "side " << i << ": " << rx.failure;
    EXPECT_FALSE(rx.failed());
    EXPECT_EQ(*rx.pc->remote_fingerprint(), (i == 0 ? bob() : alice())->fingerprint());
    // Everything sent once connected arrives, intact and in order, save the
    // last frame or two still in flight.
    ASSERT_GE(tx.video_sent.size(), 60u);
    ASSERT_GE(rx.video.size() + 2, tx.video_sent.size()) << "side " << i;
    ASSERT_LE(rx.video.size(), tx.video_sent.size());
    for (size_t k = 0; k < rx.video.size(); ++k) ASSERT_EQ(rx.video[k].data, tx.video_sent[k]) << "frame " << k;
    EXPECT_TRUE(rx.video.front().keyframe);
    EXPECT_GT(rx.audio.size(), 100u);
    const auto s = rx.pc->stats();
    EXPECT_EQ(s.session.video_in.frames_lost, 0u);
    EXPECT_EQ(s.channel.dropped_rejected, 0u);
    EXPECT_EQ(s.channel.dtls.retransmits, 0u);
    EXPECT_GT(s.channel.srtp.unprotected_rtp, 0u);
    EXPECT_GT(s.channel.srtp.unprotected_rtcp, 0u);
  }
  expect_nothing_in_the_clear(call);
}

TEST(SecureCall, FramesBeforeConnectedAreCountedAndNeverOnTheWire) {
  SecureCall call = honest_call(2);
  call.model.delay = milliseconds(100);  // a slow handshake: several frames fall before it ends
  call.start();
  call.run(seconds(2), true);
  ASSERT_TRUE(call.both_connected());
  for (int i = 0; i < 2; ++i) {
    EXPECT_GT(call.side(i).pc->stats().frames_before_connected, 3u) << "side " << i;
    EXPECT_EQ(call.side(i).pc->stats().channel.dropped_before_keys, 0u);  // never reached the channel
  }
  expect_nothing_in_the_clear(call);
}

TEST(SecureCall, TwentyPercentHandshakeLossStillConnectsByRetransmission) {
  int retransmitting_seeds = 0;
  for (uint64_t seed = 10; seed < 16; ++seed) {
    SecureCall call = honest_call(seed);
    call.loss_until_connected = 0.2;
    call.start();
    call.run(seconds(8), false, [&] { return call.both_connected(); });
    ASSERT_TRUE(call.both_connected()) << "seed " << seed << ": " << call.side(0).failure << " / "
                                       << call.side(1).failure;
    EXPECT_LT(call.now() - kT0, seconds(8));
    const uint64_t retransmits =
        call.side(0).pc->stats().channel.dtls.retransmits + call.side(1).pc->stats().channel.dtls.retransmits;
    call.run(seconds(1), false, [&] { return !call.network().has_pending(); });
    if (call.dtls_lost() > 0) {
      EXPECT_GT(retransmits, 0u) << "seed " << seed << ": " << call.dtls_lost() << " lost, none resent";
      ++retransmitting_seeds;
    }
    // Media flows afterwards.
    call.run(seconds(1), true);
    EXPECT_GT(call.side(0).video.size(), 20u) << "seed " << seed;
    EXPECT_GT(call.side(1).video.size(), 20u) << "seed " << seed;
    expect_nothing_in_the_clear(call);
  }
  EXPECT_GE(retransmitting_seeds, 3);  // the seeds really did lose handshake packets
}

TEST(SecureCall, WrongExpectedFingerprintFailsThatSideAndNoMediaFlows) {
  // Alice expects Mallory's certificate; Bob presents his own.
  SecureCall call(config_for(0, alice(), mallory()->fingerprint()), config_for(1, bob(), alice()->fingerprint()), 3);
  call.start();
  call.run(seconds(3), true);

  Side& a = call.side(0);
  EXPECT_TRUE(a.failed());
  EXPECT_FALSE(a.connected);
  EXPECT_FALSE(a.pc->connected());
  EXPECT_NE(a.failure.find("certificate"), std::string::npos) << a.failure;
  EXPECT_NE(a.failure.find(mallory()->fingerprint().hex), std::string::npos) << a.failure;
  for (int i = 0; i < 2; ++i) {
    EXPECT_TRUE(call.side(i).video.empty()) << "side " << i;
    EXPECT_TRUE(call.side(i).audio.empty()) << "side " << i;
  }
  EXPECT_GE(a.pc->stats().frames_before_connected, 80u);  // every frame of the 3 s
  // Nothing left alice as SRTP: she never had keys.
  for (const auto& [from, d] : call.wire())
    if (from == 0) {
      EXPECT_EQ(classify_packet(d), PacketClass::kDtls);
    }
  for (const auto& [from, d] : call.wire()) {
    const PacketClass c = classify_packet(d);
    EXPECT_TRUE(c == PacketClass::kDtls || c == PacketClass::kRtp || c == PacketClass::kRtcp);
  }
}

TEST(SecureCall, RestartedPeerRejectsPacketsUnderTheOldKeys) {
  SecureCall call = honest_call(4);
  call.start();
  call.run(seconds(1), true);
  ASSERT_TRUE(call.both_connected());
  // What alice sent bob under the first keys.
  std::vector<Bytes> old_srtp;
  for (const auto& [from, d] : call.wire())
    if (from == 0 && classify_packet(d) != PacketClass::kDtls) old_srtp.push_back(d);
  ASSERT_GT(old_srtp.size(), 30u);

  // Bob restarts with a new identity (new certificate, new keys); alice makes
  // a new connection expecting it.
  auto bob2 = make_identity("bob after restart");
  call.replace(1, config_for(1, bob2, alice()->fingerprint(), 500));
  call.replace(0, config_for(0, alice(), bob2->fingerprint(), 500));
  Side& b = call.side(1);
  // Old packets reaching the new connection before its handshake: no keys, rejected.
  for (const auto& d : old_srtp) b.pc->handle_datagram(d, call.now());
  EXPECT_EQ(b.pc->stats().channel.dropped_rejected, old_srtp.size());

  call.start();
  call.run(seconds(1), true);
  ASSERT_TRUE(call.both_connected());
  const size_t delivered = b.video.size();
  const auto before = b.pc->stats();
  // Old packets after the new handshake: they fail authentication under the new keys.
  for (const auto& d : old_srtp) b.pc->handle_datagram(d, call.now());
  call.run(milliseconds(1), false);
  const auto after = b.pc->stats();
  EXPECT_EQ(after.channel.dropped_rejected - before.channel.dropped_rejected, old_srtp.size());
  // Refused by the tag, or by the replay window first where a sequence number
  // was already used under the new keys: never decrypted either way.
  const uint64_t auth = after.channel.srtp.auth_failures - before.channel.srtp.auth_failures;
  const uint64_t replays = after.channel.srtp.replays - before.channel.srtp.replays;
  EXPECT_GT(auth, 0u);
  EXPECT_EQ(auth + replays, old_srtp.size());
  EXPECT_EQ(after.channel.srtp.unprotected_rtp + after.channel.srtp.unprotected_rtcp,
            before.channel.srtp.unprotected_rtp + before.channel.srtp.unprotected_rtcp);
  EXPECT_EQ(b.video.size(), delivered);  // none of them reached the session
  for (size_t k = 0; k < b.video.size(); ++k) EXPECT_EQ(b.video[k].data, call.side(0).video_sent[k]);
  EXPECT_EQ(*b.pc->remote_fingerprint(), alice()->fingerprint());
}

TEST(SecureCall, CloseMakesTheOtherSideHearPeerHungUp) {
  SecureCall call = honest_call(5);
  call.start();
  call.run(seconds(1), true);
  ASSERT_TRUE(call.both_connected());
  call.side(0).pc->close(call.now());
  EXPECT_TRUE(call.side(0).pc->closed());
  EXPECT_FALSE(call.side(0).pc->next_timeout());
  call.run(milliseconds(500), false);
  EXPECT_TRUE(call.side(1).hung_up);
  EXPECT_FALSE(call.side(1).timed_out);
  EXPECT_FALSE(call.side(0).hung_up);  // our own close is no news to us
  expect_nothing_in_the_clear(call);
}

TEST(SecureCall, CloseNotifyAloneEndsTheCallWhenTheByeIsLost) {
  SecureCall call = honest_call(6);
  call.start();
  call.run(seconds(1), true);
  ASSERT_TRUE(call.both_connected());
  const size_t sent_before = call.wire().size();
  call.side(0).pc->close(call.now());
  // Drop the SRTCP BYE alice just sent; keep her DTLS close_notify.
  call.deliver_ = false;
  call.run(microseconds(1), false);
  call.deliver_ = true;
  size_t close_notifies = 0;
  for (size_t k = sent_before; k < call.wire().size(); ++k) {
    const auto& [from, d] = call.wire()[k];
    if (from == 0 && classify_packet(d) == PacketClass::kDtls) {
      call.side(1).pc->handle_datagram(d, call.now());
      ++close_notifies;
    }
  }
  ASSERT_GT(close_notifies, 0u);
  call.run(milliseconds(10), false);
  EXPECT_TRUE(call.side(1).hung_up);
}

}  // namespace
}  // namespace peercall

namespace peercall {
namespace {

// The chat's data channel rides on the call's DTLS: lines go both ways, in
// order, through a lossy link, and the wire stays DTLS/SRTP only.
TEST(SecureCall, DataChannelCarriesLinesBothWaysThroughLoss) {
  PeerConnectionConfig a = config_for(0, alice(), bob()->fingerprint());
  PeerConnectionConfig b = config_for(1, bob(), alice()->fingerprint());
  a.messages = MessageChannelConfig{};
  b.messages = MessageChannelConfig{};
  SecureCall call(a, b, 5);
  call.start();
  call.run(seconds(3), true, [&] { return call.side(0).pc->messages_open() && call.side(1).pc->messages_open(); });
  ASSERT_TRUE(call.side(0).pc->messages_open() && call.side(1).pc->messages_open());
  call.model.loss = 0.1;
  for (int k = 0; k < 20; ++k) {
    auto sent = call.side(0).pc->send_message("from alice " + std::to_string(k), call.now());
    ASSERT_TRUE(sent) << sent.error();
    ASSERT_TRUE(call.side(1).pc->send_message("from bob " + std::to_string(k), call.now()));
  }
  call.run(seconds(10), true, [&] {
    return call.side(0).messages.size() == 20 && call.side(1).messages.size() == 20;
  });
  ASSERT_EQ(call.side(1).messages.size(), 20u);
  ASSERT_EQ(call.side(0).messages.size(), 20u);
  for (int k = 0; k < 20; ++k) {
    EXPECT_EQ(call.side(1).messages[k], "from alice " + std::to_string(k));
    EXPECT_EQ(call.side(0).messages[k], "from bob " + std::to_string(k));
  }
  expect_nothing_in_the_clear(call);
}

TEST(SecureCall, WithoutADataChannelAMessageIsRefused) {
  SecureCall call = honest_call(6);
  call.start();
  call.run(seconds(2), true, [&] { return call.both_connected(); });
  EXPECT_FALSE(call.side(0).pc->send_message("hello", call.now()));
}

}  // namespace
}  // namespace peercall
