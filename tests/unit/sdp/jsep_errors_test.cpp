// Offers and answers peercall must refuse, each with its one-line reason, and
// the browser variations it must accept (session-level transport, bundle-only).
#include <gtest/gtest.h>

#include <string>

#include "sdp/offer_answer.hpp"
#include "sdp_test_peers.hpp"

using namespace peercall;
using namespace peercall::test;

namespace {

std::string answer_error(const std::string& offer_text) {
  auto answered = create_answer(parse(offer_text), listener());
  return answered.ok() ? "(accepted)" : answered.error();
}

// Our offer, and the text of the listener's answer to it.
struct Exchange {
  SessionDescription offer = create_offer(caller());
  std::string answer_text = write_sdp(create_answer(offer, listener())->first);
  std::string apply(const std::string& text) const {
    auto n = apply_answer(offer, parse(text));
    return n.ok() ? "(accepted)" : n.error();
  }
};

// "00:00:..." for a digest of `bytes` bytes.
std::string zero_hex(size_t bytes) {
  std::string out = "00";
  for (size_t i = 1; i < bytes; ++i) out += ":00";
  return out;
}

}  // namespace

TEST(JsepErrors, TheSmallOfferIsAccepted) {
  auto answered = create_answer(parse(small_offer()), listener());
  ASSERT_TRUE(answered.ok()) << answered.error();
  EXPECT_EQ(answered->second.remote.ice_ufrag, "oFfR");
  EXPECT_EQ(answered->second.remote.candidates,
            std::vector<std::string>{"candidate:9 1 udp 2130706431 203.0.113.5 6000 typ host"});
  EXPECT_EQ(answered->second.video.codec.payload_type, 100);
  EXPECT_EQ(Exchange{}.apply(Exchange{}.answer_text), "(accepted)");
}

TEST(JsepErrors, UnencryptedOfferIsRefused) {
  const std::string plain = "v=0\r\no=- 5 1 IN IP4 203.0.113.5\r\ns=-\r\nc=IN IP4 203.0.113.5\r\nt=0 0\r\n"
                            "m=audio 6000 RTP/AVP 111\r\na=rtpmap:111 opus/48000/2\r\na=rtcp-mux\r\n";
  EXPECT_EQ(answer_error(plain),
            "the other side offers unencrypted RTP (RTP/AVP): peercall only makes encrypted calls "
            "(UDP/TLS/RTP/SAVPF)");
  EXPECT_EQ(answer_error(replace_all(small_offer(), "UDP/TLS/RTP/SAVPF", "RTP/AVPF")),
            "the other side offers unencrypted RTP (RTP/AVP): peercall only makes encrypted calls "
            "(UDP/TLS/RTP/SAVPF)");
}

TEST(JsepErrors, OfferWithoutFingerprintIsRefused) {
  EXPECT_EQ(answer_error(without(small_offer(), "a=fingerprint:")),
            "the offer has no a=fingerprint: peercall only makes encrypted calls");
  EXPECT_EQ(answer_error(replace_all(small_offer(), "sha-256 4A:1F", "sha-256 4A1F")),
            "the offer's a=fingerprint is malformed (expected e.g. sha-256 AB:CD:...)");
  EXPECT_EQ(answer_error(replace_all(small_offer(), "sha-256 ", "md5 ")),
            "the offer's a=fingerprint is malformed (expected e.g. sha-256 AB:CD:...)");
}

TEST(JsepErrors, OfferWithoutIceCredentialsIsRefused) {
  const char* expected = "the offer has no a=ice-ufrag and a=ice-pwd: peercall needs ICE (RFC 8839)";
  EXPECT_EQ(answer_error(without(small_offer(), "a=ice-ufrag:")), expected);
  EXPECT_EQ(answer_error(without(small_offer(), "a=ice-pwd:")), expected);
  EXPECT_EQ(answer_error(replace_all(small_offer(), "a=ice-pwd:offerPassword0123456789", "a=ice-pwd:short")),
            "the offer's a=ice-pwd is malformed");
  EXPECT_EQ(answer_error(replace_all(small_offer(), "a=ice-ufrag:oFfR", "a=ice-ufrag:o\"f")),
            "the offer's a=ice-ufrag is malformed");
}

TEST(JsepErrors, OfferWithoutRtcpMuxIsRefused) {
  EXPECT_EQ(answer_error(without(small_offer(), "a=rtcp-mux")),
            "the offer's audio m-line (mid 0) has no a=rtcp-mux: peercall sends RTP and RTCP on one port");
}

TEST(JsepErrors, OfferWithoutBundleIsRefused) {
  EXPECT_EQ(answer_error(without(small_offer(), "a=group:")),
            "the offer has no a=group:BUNDLE: peercall sends all media on one transport");
  EXPECT_EQ(answer_error(replace_all(small_offer(), "a=group:BUNDLE 0 1", "a=group:BUNDLE 0")),
            "the offer's video m-line (mid 1) is not in its a=group:BUNDLE: peercall sends all media on one "
            "transport");
}

TEST(JsepErrors, OfferSetupMustBeActpassActiveOrPassive) {
  EXPECT_EQ(answer_error(without(small_offer(), "a=setup:")),
            "the offer has no a=setup: peercall needs a DTLS role (RFC 5763)");
  EXPECT_EQ(answer_error(replace_all(small_offer(), "a=setup:actpass", "a=setup:holdconn")),
            "the offer has a=setup:holdconn: peercall needs active, passive or actpass (RFC 5763)");
}

TEST(JsepErrors, NothingWeCanUse) {
  EXPECT_EQ(answer_error(offer_header("1") + h264_section("1", {{97, "packetization-mode=0"}})),
            "sdp: no common codec");
}

TEST(JsepErrors, AnswerMustBeEncryptedBundledAndChooseARole) {
  const Exchange x;
  EXPECT_EQ(x.apply(without(x.answer_text, "a=fingerprint:")),
            "the answer has no a=fingerprint: peercall only makes encrypted calls");
  EXPECT_EQ(x.apply(without(x.answer_text, "a=ice-ufrag:")),
            "the answer has no a=ice-ufrag and a=ice-pwd: peercall needs ICE (RFC 8839)");
  EXPECT_EQ(x.apply(without(x.answer_text, "a=rtcp-mux")),
            "the answer's audio m-line (mid 0) has no a=rtcp-mux: peercall sends RTP and RTCP on one port");
  EXPECT_EQ(x.apply(without(x.answer_text, "a=group:")),
            "the answer has no a=group:BUNDLE: peercall sends all media on one transport");
  EXPECT_EQ(x.apply(replace_all(x.answer_text, "a=group:BUNDLE 0 1", "a=group:BUNDLE 0")),
            "the answer's video m-line (mid 1) is not in its a=group:BUNDLE: peercall sends all media on one "
            "transport");
  EXPECT_EQ(x.apply(replace_all(x.answer_text, "a=setup:active", "a=setup:actpass")),
            "the answer has a=setup:actpass: an answer must choose active or passive (RFC 5763)");
  EXPECT_EQ(x.apply(without(x.answer_text, "a=setup:")),
            "the answer has no a=setup: peercall needs a DTLS role (RFC 5763)");
}

TEST(JsepErrors, SessionLevelTransportIsReadAndMediaLevelWins) {
  // Session-level credentials and fingerprint only (RFC 8839 allows both levels).
  std::string offer = without(without(without(small_offer(), "a=ice-ufrag:"), "a=ice-pwd:"), "a=fingerprint:");
  offer = replace_all(offer, "a=group:BUNDLE 0 1\r\n",
                      "a=group:BUNDLE 0 1\r\na=ice-lite\r\na=ice-ufrag:sEsS\r\na=ice-pwd:sessionPassword123456789\r\n"
                      "a=fingerprint:sha-512 " + zero_hex(64) + "\r\n"
                      "a=candidate:7 1 udp 5 198.51.100.9 7000 typ host\r\n");
  auto answered = create_answer(parse(offer), listener());
  ASSERT_TRUE(answered.ok()) << answered.error() << "\n" << offer;
  const TransportDescription& remote = answered->second.remote;
  EXPECT_EQ(remote.ice_ufrag, "sEsS");
  EXPECT_EQ(remote.ice_pwd, "sessionPassword123456789");
  EXPECT_EQ(remote.fingerprint, "sha-512 " + zero_hex(64));
  EXPECT_TRUE(remote.ice_lite);
  EXPECT_EQ(remote.candidates, (std::vector<std::string>{"candidate:7 1 udp 5 198.51.100.9 7000 typ host",
                                                         "candidate:9 1 udp 2130706431 203.0.113.5 6000 typ host"}));

  // Media level (of the bundle's first m-line) beats session level.
  const std::string both =
      replace_all(small_offer(), "a=group:BUNDLE 0 1\r\n",
                  "a=group:BUNDLE 0 1\r\na=ice-ufrag:sEsS\r\na=ice-pwd:sessionPassword123456789\r\n");
  answered = create_answer(parse(both), listener());
  ASSERT_TRUE(answered.ok()) << answered.error();
  EXPECT_EQ(answered->second.remote.ice_ufrag, "oFfR");
  EXPECT_EQ(answered->second.remote.ice_pwd, "offerPassword0123456789");
}

TEST(JsepErrors, FingerprintsAreNormalizedAndSha256Preferred) {
  const std::string two = replace_all(
      small_offer(), "a=fingerprint:sha-256 4A:1F",
      "a=fingerprint:SHA-1 00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff:00:11:22:33\r\na=fingerprint:sha-256 4a:1f");
  auto answered = create_answer(parse(two), listener());
  ASSERT_TRUE(answered.ok()) << answered.error();
  EXPECT_EQ(answered->second.remote.fingerprint,
            "sha-256 4A:1F:9C:0E:77:B2:5D:C3:18:6A:F0:2B:93:E4:D1:8C:57:0A:BE:64:29:F3:C8:11:7D:A5:4E:90:36:BB:02:EF");
  EXPECT_EQ(normalized_fingerprint("SHA-1 00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff:00:11:22:33"),
            "sha-1 00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33");
  EXPECT_EQ(normalized_fingerprint("sha-256 00:11"), "");  // too short for SHA-256
  EXPECT_EQ(normalized_fingerprint("sha-1 0g:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff:00:11:22:33"), "");
}

TEST(JsepErrors, BundleOnlyMLineIsAccepted) {
  // Chrome with bundlePolicy max-bundle: port 0 + a=bundle-only is not a rejection.
  std::string offer = small_offer();
  offer = replace_all(offer, "m=video 9 ", "m=video 0 ");
  offer = replace_all(offer, "a=mid:1\r\n", "a=mid:1\r\na=bundle-only\r\n");
  auto answered = create_answer(parse(offer), listener());
  ASSERT_TRUE(answered.ok()) << answered.error();
  EXPECT_TRUE(answered->second.video.enabled);
  EXPECT_EQ(answered->first.media[1].port, 9);
  EXPECT_EQ(answered->second.bundle_mids, (std::vector<std::string>{"0", "1"}));
}

TEST(JsepErrors, MixedOfferKeepsTheEncryptedLines) {
  // A plain RTP/AVP video beside encrypted audio: the video is refused, the call goes on.
  const std::string offer = offer_header() + opus_section("0") +
                            replace_all(h264_section("1", {{100, "packetization-mode=1"}}), "UDP/TLS/RTP/SAVPF",
                                        "RTP/AVP");
  auto answered = create_answer(parse(offer), listener());
  ASSERT_TRUE(answered.ok()) << answered.error();
  EXPECT_EQ(answered->first.media[1].port, 0);
  EXPECT_EQ(answered->first.attributes, (std::vector<Attribute>{{"group", "BUNDLE 0"}}));
  EXPECT_FALSE(answered->second.video.enabled);
  auto applied = apply_answer(parse(offer), via_text(answered->first));
  ASSERT_TRUE(applied.ok()) << applied.error();
  EXPECT_TRUE(applied->audio.enabled);
  EXPECT_FALSE(applied->video.enabled);
  EXPECT_EQ(applied->bundle_mids, std::vector<std::string>{"0"});
}
