// SrtpSession against real libsrtp2: two sessions with mirrored keys play the
// two peers of one DTLS-SRTP association.
#include "security/srtp_session.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

namespace peercall {
namespace {

Bytes pattern_key(size_t length, uint8_t seed) {
  Bytes key(length);
  for (size_t i = 0; i < length; ++i) key[i] = static_cast<uint8_t>(seed + 7 * i);
  return key;
}

struct Peers {
  std::unique_ptr<SrtpSession> alice;  // alice.local == bob.remote and back
  std::unique_ptr<SrtpSession> bob;
};

Peers make_peers(SrtpProfile profile) {
  const size_t length = SrtpSession::key_material_length(profile);
  Bytes a_to_b = pattern_key(length, 1), b_to_a = pattern_key(length, 101);
  auto alice = SrtpSession::create({profile, a_to_b, b_to_a});
  auto bob = SrtpSession::create({profile, b_to_a, a_to_b});
  EXPECT_TRUE(alice.ok()) << alice.error();
  EXPECT_TRUE(bob.ok()) << bob.error();
  if (!alice || !bob) return {};
  return {std::move(*alice), std::move(*bob)};
}

Bytes rtp_packet(uint16_t seq, uint32_t ssrc, size_t payload_size = 160) {
  Bytes p = {0x80, 96, uint8_t(seq >> 8), uint8_t(seq), 0, 0, uint8_t(seq >> 8), uint8_t(seq),
             uint8_t(ssrc >> 24), uint8_t(ssrc >> 16), uint8_t(ssrc >> 8), uint8_t(ssrc)};
  for (size_t i = 0; i < payload_size; ++i) p.push_back(static_cast<uint8_t>(seq + i));
  return p;
}

// A receiver report with one report block (32 bytes).
Bytes rtcp_receiver_report(uint32_t ssrc, uint8_t marker) {
  Bytes p = {0x81, 201, 0, 7, uint8_t(ssrc >> 24), uint8_t(ssrc >> 16), uint8_t(ssrc >> 8),
             uint8_t(ssrc)};
  for (int i = 0; i < 24; ++i) p.push_back(static_cast<uint8_t>(marker + i));
  return p;
}

size_t tag_length(SrtpProfile profile) {
  return profile == SrtpProfile::kAeadAes128Gcm ? 16 : 10;
}

class SrtpSessionTest : public ::testing::TestWithParam<SrtpProfile> {
 protected:
  void SetUp() override {
    peers_ = make_peers(GetParam());
    ASSERT_TRUE(peers_.alice && peers_.bob);
  }
  SrtpSession& alice() { return *peers_.alice; }
  SrtpSession& bob() { return *peers_.bob; }
  Bytes protected_rtp(uint16_t seq, uint32_t ssrc = 0x1234, size_t payload = 160) {
    Bytes p = rtp_packet(seq, ssrc, payload);
    EXPECT_TRUE(alice().protect_rtp(p).ok());
    return p;
  }
  Peers peers_;
};

TEST_P(SrtpSessionTest, RtpRoundTripBothWays) {
  for (uint16_t seq = 65530; seq != 10; ++seq) {  // across the sequence number wrap
    const Bytes plain = rtp_packet(seq, 0xA1A1A1A1, 1188);
    Bytes wire = plain;
    ASSERT_TRUE(alice().protect_rtp(wire).ok());
    EXPECT_EQ(wire.size(), plain.size() + tag_length(GetParam()));
    EXPECT_TRUE(std::equal(plain.begin(), plain.begin() + 12, wire.begin()));  // header in clear
    EXPECT_FALSE(std::equal(plain.begin() + 12, plain.end(), wire.begin() + 12));  // payload not
    auto opened = bob().unprotect_rtp(wire);
    ASSERT_TRUE(opened.ok()) << opened.error();
    EXPECT_EQ(wire, plain);

    Bytes back = rtp_packet(seq, 0xB2B2B2B2);
    ASSERT_TRUE(bob().protect_rtp(back).ok());
    ASSERT_TRUE(alice().unprotect_rtp(back).ok());
    EXPECT_EQ(back, rtp_packet(seq, 0xB2B2B2B2));
  }
  EXPECT_EQ(alice().stats().protected_rtp, 16u);
  EXPECT_EQ(bob().stats().unprotected_rtp, 16u);
  EXPECT_EQ(alice().stats().unprotected_rtp, 16u);
}

TEST_P(SrtpSessionTest, RtcpRoundTripBothWays) {
  for (uint8_t i = 0; i < 5; ++i) {
    const Bytes plain = rtcp_receiver_report(0xA1A1A1A1, i);
    Bytes wire = plain;
    ASSERT_TRUE(alice().protect_rtcp(wire).ok());
    EXPECT_EQ(wire.size(), plain.size() + 4 + tag_length(GetParam()));  // E|index, tag
    EXPECT_FALSE(std::equal(plain.begin() + 8, plain.end(), wire.begin() + 8));
    auto opened = bob().unprotect_rtcp(wire);
    ASSERT_TRUE(opened.ok()) << opened.error();
    EXPECT_EQ(wire, plain);

    Bytes back = rtcp_receiver_report(0xB2B2B2B2, i);
    ASSERT_TRUE(bob().protect_rtcp(back).ok());
    ASSERT_TRUE(alice().unprotect_rtcp(back).ok());
    EXPECT_EQ(back, rtcp_receiver_report(0xB2B2B2B2, i));
  }
  EXPECT_EQ(alice().stats().protected_rtcp, 5u);
  EXPECT_EQ(bob().stats().unprotected_rtcp, 5u);
}

TEST_P(SrtpSessionTest, SeveralSsrcsShareTheSession) {  // BUNDLE: audio and video
  for (uint16_t seq = 1; seq <= 20; ++seq) {
    for (uint32_t ssrc : {0x11u, 0x22u}) {
      Bytes wire = protected_rtp(seq, ssrc);
      ASSERT_TRUE(bob().unprotect_rtp(wire).ok());
      EXPECT_EQ(wire, rtp_packet(seq, ssrc));
    }
  }
}

TEST_P(SrtpSessionTest, TamperedPayloadFailsAuthentication) {
  Bytes wire = protected_rtp(1);
  wire[20] ^= 0x01;
  auto result = bob().unprotect_rtp(wire);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error(), "srtp: authentication failed");
  EXPECT_EQ(bob().stats().auth_failures, 1u);
  EXPECT_EQ(bob().stats().unprotected_rtp, 0u);
}

TEST_P(SrtpSessionTest, TamperedHeaderAndTagFailAuthentication) {
  Bytes tag = protected_rtp(1), header = protected_rtp(2);
  tag.back() ^= 0x80;
  header[1] ^= 0x01;  // payload type: authenticated though not encrypted
  EXPECT_EQ(bob().unprotect_rtp(tag).error(), "srtp: authentication failed");
  EXPECT_EQ(bob().unprotect_rtp(header).error(), "srtp: authentication failed");
  Bytes rtcp = rtcp_receiver_report(9, 0);
  ASSERT_TRUE(alice().protect_rtcp(rtcp).ok());
  rtcp.back() ^= 0x01;
  EXPECT_EQ(bob().unprotect_rtcp(rtcp).error(), "srtp: authentication failed");
  EXPECT_EQ(bob().stats().auth_failures, 3u);
}

TEST_P(SrtpSessionTest, ReplayIsRefusedAndCounted) {
  const Bytes wire = protected_rtp(7);
  Bytes first = wire, again = wire;
  ASSERT_TRUE(bob().unprotect_rtp(first).ok());
  auto result = bob().unprotect_rtp(again);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error(), "srtp: replayed packet");

  Bytes rtcp = rtcp_receiver_report(9, 0);
  ASSERT_TRUE(alice().protect_rtcp(rtcp).ok());
  Bytes rtcp_again = rtcp;
  ASSERT_TRUE(bob().unprotect_rtcp(rtcp).ok());
  EXPECT_EQ(bob().unprotect_rtcp(rtcp_again).error(), "srtp: replayed packet");
  EXPECT_EQ(bob().stats().replays, 2u);
  EXPECT_EQ(bob().stats().unprotected_rtp, 1u);
}

TEST_P(SrtpSessionTest, OutOfOrderWithinTheWindowIsAccepted) {
  std::vector<Bytes> wire;
  for (uint16_t seq = 1000; seq < 1300; ++seq) wire.push_back(protected_rtp(seq));
  std::mt19937 rng(42);
  std::shuffle(wire.begin(), wire.end(), rng);
  for (Bytes& p : wire) ASSERT_TRUE(bob().unprotect_rtp(p).ok());
  EXPECT_EQ(bob().stats().unprotected_rtp, 300u);
  EXPECT_EQ(bob().stats().replays, 0u);
}

TEST_P(SrtpSessionTest, WindowIs1024PacketsNotLibsrtpsDefault128) {
  Bytes first = protected_rtp(0), old_500 = protected_rtp(500);
  Bytes late_1500 = protected_rtp(1500), newest = protected_rtp(2000);
  ASSERT_TRUE(bob().unprotect_rtp(first).ok());
  ASSERT_TRUE(bob().unprotect_rtp(newest).ok());
  EXPECT_TRUE(bob().unprotect_rtp(late_1500).ok());  // 500 behind: inside the window
  EXPECT_EQ(bob().unprotect_rtp(old_500).error(), "srtp: replayed packet");  // 1500 behind
}

TEST_P(SrtpSessionTest, WrongKeyFailsAuthentication) {
  const size_t length = SrtpSession::key_material_length(GetParam());
  Bytes a_to_b = pattern_key(length, 1), other = pattern_key(length, 55);
  other.back() ^= 1;
  auto eve = SrtpSession::create({GetParam(), other, other});
  ASSERT_TRUE(eve.ok()) << eve.error();
  Bytes rtp = protected_rtp(1), rtcp = rtcp_receiver_report(0x1234, 1);
  ASSERT_TRUE(alice().protect_rtcp(rtcp).ok());
  EXPECT_EQ((*eve)->unprotect_rtp(rtp).error(), "srtp: authentication failed");
  EXPECT_EQ((*eve)->unprotect_rtcp(rtcp).error(), "srtp: authentication failed");
  EXPECT_EQ((*eve)->stats().auth_failures, 2u);
}

TEST_P(SrtpSessionTest, TruncatedInputsAreRefusedAndDoNotSpendTheIndex) {
  const Bytes wire = protected_rtp(3);
  for (size_t length = 0; length < wire.size(); ++length) {
    Bytes cut(wire.begin(), wire.begin() + length);
    auto result = bob().unprotect_rtp(cut);
    ASSERT_FALSE(result.ok()) << length;
    if (length < 12) {
      EXPECT_EQ(result.error(), "srtp: malformed packet") << length;
    }
  }
  Bytes rtcp = rtcp_receiver_report(5, 5);
  ASSERT_TRUE(alice().protect_rtcp(rtcp).ok());
  for (size_t length = 0; length < rtcp.size(); ++length) {
    Bytes cut(rtcp.begin(), rtcp.begin() + length);
    auto result = bob().unprotect_rtcp(cut);
    ASSERT_FALSE(result.ok()) << length;
    if (length < 8) {
      EXPECT_EQ(result.error(), "srtp: malformed packet") << length;
    }
  }
  const auto s = bob().stats();
  EXPECT_EQ(s.auth_failures + s.malformed + s.replays, wire.size() + rtcp.size());
  EXPECT_GE(s.malformed, 12u + 8u);
  Bytes whole = wire;  // none of the refusals touched the replay state
  EXPECT_TRUE(bob().unprotect_rtp(whole).ok());
  EXPECT_TRUE(bob().unprotect_rtcp(rtcp).ok());
}

TEST_P(SrtpSessionTest, ProtectRefusesWhatLibsrtpCannotProtect) {
  Bytes short_rtp(11, 0x80), short_rtcp(7, 0x80);
  EXPECT_FALSE(alice().protect_rtp(short_rtp).ok());
  EXPECT_FALSE(alice().protect_rtcp(short_rtcp).ok());
  Bytes overrun = rtp_packet(1, 1, 0);
  overrun[0] = 0x8F;  // 15 CSRCs announced, none present
  auto result = alice().protect_rtp(overrun);
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.error().find("srtp: cannot protect RTP"), std::string::npos);
  EXPECT_EQ(overrun, [] { Bytes p = rtp_packet(1, 1, 0); p[0] = 0x8F; return p; }());
  Bytes once = rtp_packet(9, 1), twice = rtp_packet(9, 1);
  ASSERT_TRUE(alice().protect_rtp(once).ok());
  EXPECT_FALSE(alice().protect_rtp(twice).ok());  // same index again: keystream reuse
  EXPECT_EQ(alice().stats().protected_rtp, 1u);
}

// libsrtp clones the ssrc_any_inbound template into a stream only after a
// packet authenticates (srtp.c, srtp_unprotect: "allocate a new stream at
// this point, since the authentication passed"). Forged packets with a high
// sequence number must not latch the stream, or the real sender's low
// sequence numbers would be taken for the next rollover and fail.
TEST_P(SrtpSessionTest, ForgedPacketOnAFreshSsrcDoesNotLatchAStream) {
  const uint32_t ssrc = 0xFEEDBEEF;
  std::mt19937 rng(7);
  for (uint16_t seq : {65000, 65500, 30000}) {
    Bytes forged = rtp_packet(seq, ssrc, 100);
    for (size_t i = 12; i < forged.size(); ++i) forged[i] = static_cast<uint8_t>(rng());
    EXPECT_EQ(bob().unprotect_rtp(forged).error(), "srtp: authentication failed");
    Bytes forged_rtcp = rtcp_receiver_report(ssrc, 0);
    forged_rtcp.resize(forged_rtcp.size() + 4 + tag_length(GetParam()), 0x80);
    EXPECT_EQ(bob().unprotect_rtcp(forged_rtcp).error(), "srtp: authentication failed");
  }
  for (uint16_t seq = 1; seq <= 5; ++seq) {
    Bytes wire = protected_rtp(seq, ssrc);
    auto result = bob().unprotect_rtp(wire);
    ASSERT_TRUE(result.ok()) << seq << ": " << result.error();
    EXPECT_EQ(wire, rtp_packet(seq, ssrc));
  }
  Bytes rtcp = rtcp_receiver_report(ssrc, 3);
  ASSERT_TRUE(alice().protect_rtcp(rtcp).ok());
  EXPECT_TRUE(bob().unprotect_rtcp(rtcp).ok());
  EXPECT_EQ(bob().stats().auth_failures, 6u);
}

// Seeded random datagrams (some shaped like RTP/RTCP with a known SSRC, some
// mutations of real protected packets) are always refused and always counted.
TEST_P(SrtpSessionTest, GarbageIsAlwaysRefused) {
  std::vector<Bytes> genuine;
  for (uint16_t seq = 1; seq <= 8; ++seq) genuine.push_back(protected_rtp(seq, 0x1234, 50 * seq));
  Bytes genuine_rtcp = rtcp_receiver_report(0x1234, 0);
  ASSERT_TRUE(alice().protect_rtcp(genuine_rtcp).ok());
  genuine.push_back(genuine_rtcp);

  std::mt19937 rng(20240601);
  constexpr int kIterations = 20000;
  for (int i = 0; i < kIterations; ++i) {
    Bytes p;
    switch (rng() % 3) {
      case 0: {  // pure noise
        p.resize(rng() % 1500);
        for (auto& b : p) b = static_cast<uint8_t>(rng());
        break;
      }
      case 1: {  // RTP/RTCP-shaped noise on a live SSRC
        p = (rng() % 2) ? rtp_packet(static_cast<uint16_t>(rng()), 0x1234, rng() % 300)
                        : rtcp_receiver_report(0x1234, static_cast<uint8_t>(rng()));
        p[0] = static_cast<uint8_t>(0x80 | (rng() & 0x3F));  // random CC, X, P, RC
        for (size_t j = 12; j < p.size(); ++j) p[j] = static_cast<uint8_t>(rng());
        break;
      }
      default: {  // a genuine packet with a few bytes flipped, or cut
        p = genuine[rng() % genuine.size()];
        for (int flips = 1 + rng() % 3; flips > 0; --flips) p[rng() % p.size()] ^= 1 + rng() % 255;
        if (rng() % 4 == 0) p.resize(rng() % p.size());
        break;
      }
    }
    const bool as_rtcp = rng() % 2;
    auto result = as_rtcp ? bob().unprotect_rtcp(p) : bob().unprotect_rtp(p);
    ASSERT_FALSE(result.ok()) << "iteration " << i << " was accepted";
  }
  const auto s = bob().stats();
  EXPECT_EQ(s.auth_failures + s.replays + s.malformed, uint64_t(kIterations));
  EXPECT_EQ(s.unprotected_rtp + s.unprotected_rtcp, 0u);
  for (Bytes& p : genuine) {  // and the real packets still get through afterwards
    auto result = (&p == &genuine.back()) ? bob().unprotect_rtcp(p) : bob().unprotect_rtp(p);
    EXPECT_TRUE(result.ok()) << result.error();
  }
}

INSTANTIATE_TEST_SUITE_P(Profiles, SrtpSessionTest,
                         ::testing::Values(SrtpProfile::kAes128CmSha1_80,
                                           SrtpProfile::kAeadAes128Gcm),
                         [](const auto& info) {
                           return info.param == SrtpProfile::kAeadAes128Gcm
                                      ? std::string("AeadAes128Gcm")
                                      : std::string("Aes128CmSha1_80");
                         });

TEST(SrtpSessionCreate, RefusesKeysOfTheWrongLength) {
  auto short_cm = SrtpSession::create({SrtpProfile::kAes128CmSha1_80, Bytes(28, 1), Bytes(30, 1)});
  ASSERT_FALSE(short_cm.ok());
  EXPECT_NE(short_cm.error().find("30 bytes"), std::string::npos) << short_cm.error();
  auto long_gcm = SrtpSession::create({SrtpProfile::kAeadAes128Gcm, Bytes(28, 1), Bytes(30, 1)});
  ASSERT_FALSE(long_gcm.ok());
  EXPECT_NE(long_gcm.error().find("28 bytes"), std::string::npos) << long_gcm.error();
  EXPECT_TRUE(SrtpSession::create({SrtpProfile::kAeadAes128Gcm, Bytes(28, 1), Bytes(28, 2)}).ok());
}

TEST(SrtpSessionCreate, ProfilesDoNotInteroperate) {
  auto cm = SrtpSession::create({SrtpProfile::kAes128CmSha1_80, Bytes(30, 1), Bytes(30, 2)});
  auto gcm = SrtpSession::create({SrtpProfile::kAeadAes128Gcm, Bytes(28, 2), Bytes(28, 1)});
  ASSERT_TRUE(cm.ok() && gcm.ok());
  Bytes p = rtp_packet(1, 5);
  ASSERT_TRUE((*cm)->protect_rtp(p).ok());
  EXPECT_FALSE((*gcm)->unprotect_rtp(p).ok());
}

}  // namespace
}  // namespace peercall
