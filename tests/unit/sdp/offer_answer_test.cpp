#include "sdp/offer_answer.hpp"

#include <gtest/gtest.h>

#include <string>

#include "sdp_test_peers.hpp"

using namespace peercall;
using namespace peercall::test;

namespace {

// The complete offer text, so nothing unimplemented can slip in.
const std::string kCallerOfferText =
    "v=0\r\no=- 2351055617506980016 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0 1\r\n"
    "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\na=mid:0\r\na=sendrecv\r\na=rtcp-mux\r\n"
    "a=rtpmap:111 opus/48000/2\r\na=fmtp:111 minptime=10\r\n"
    "a=ssrc:2694881440 cname:caller\r\n"
    "a=rtcp:9 IN IP4 0.0.0.0\r\na=ice-ufrag:cAll\r\na=ice-pwd:callerPasswordIs22chars\r\n"
    "a=fingerprint:" + kCallerFingerprint + "\r\na=setup:actpass\r\n"
    "a=candidate:1 1 udp 2130706431 192.0.2.10 40000 typ host\r\n"
    "a=candidate:2 1 udp 1694498815 198.51.100.3 40001 typ srflx raddr 192.0.2.10 rport 40000\r\n"
    "a=end-of-candidates\r\n"
    "a=msid:peercall-caller audio\r\na=ssrc:2694881440 msid:peercall-caller audio\r\n"
    "m=video 9 UDP/TLS/RTP/SAVPF 96\r\nc=IN IP4 0.0.0.0\r\na=mid:1\r\na=sendrecv\r\na=rtcp-mux\r\n"
    "a=rtpmap:96 H264/90000\r\n"
    "a=fmtp:96 profile-level-id=42e01f;packetization-mode=1;level-asymmetry-allowed=1\r\n"
    "a=rtcp-fb:96 nack\r\n"
    "a=rtcp-fb:96 nack pli\r\n"
    "a=ssrc:2964369584 cname:caller\r\n"
    "a=rtcp:9 IN IP4 0.0.0.0\r\na=ice-ufrag:cAll\r\na=ice-pwd:callerPasswordIs22chars\r\n"
    "a=fingerprint:" + kCallerFingerprint + "\r\na=setup:actpass\r\n"
    "a=candidate:1 1 udp 2130706431 192.0.2.10 40000 typ host\r\n"
    "a=candidate:2 1 udp 1694498815 198.51.100.3 40001 typ srflx raddr 192.0.2.10 rport 40000\r\n"
    "a=end-of-candidates\r\n"
    "a=msid:peercall-caller video\r\na=ssrc:2964369584 msid:peercall-caller video\r\n";

// What we must never advertise: FIR, Opus FEC, header extensions, RED/ULPFEC,
// trickle ICE, plain RTP; RTX only with an RTX SSRC (not these endpoints').
void expect_nothing_unimplemented(const std::string& text) {
  for (const char* forbidden : {"ccm fir", "useinbandfec", "extmap", "rtx/", "red/", "ulpfec",
                                "trickle", "RTP/AVP", "transport-cc", "goog-remb", "rtcp-rsize"})
    EXPECT_EQ(text.find(forbidden), std::string::npos) << forbidden << " in\n" << text;
}

}  // namespace

TEST(OfferAnswer, OfferIsExactlyTheJsepOffer) {
  const SessionDescription offer = create_offer(caller());
  const std::string text = write_sdp(offer);
  EXPECT_EQ(text, kCallerOfferText);
  expect_nothing_unimplemented(text);
  EXPECT_EQ(via_text(offer), offer);

  EXPECT_FALSE(offer.connection_address);  // JSEP: c= per m-line, no session-level address
  ASSERT_EQ(offer.media.size(), 2u);
  for (const MediaDescription& m : offer.media) {
    EXPECT_EQ(m.port, 9);
    EXPECT_EQ(m.protocol, "UDP/TLS/RTP/SAVPF");
    EXPECT_EQ(m.connection_address, "0.0.0.0");
    EXPECT_TRUE(m.rtcp_mux);
    EXPECT_EQ(m.codecs.size(), 1u);
  }
  EXPECT_EQ(offer.media[0].codecs[0], (Codec{111, "opus", 48000, 2, "minptime=10", {}}));
  EXPECT_EQ(offer.media[1].codecs[0].rtcp_feedback, (std::vector<std::string>{"nack", "nack pli"}));
}

TEST(OfferAnswer, OfferDirectionsFollowFlags) {
  LocalMediaConfig local = caller();
  local.send_audio = false;  // recvonly audio
  local.recv_video = false;  // sendonly video
  SessionDescription offer = create_offer(local);
  EXPECT_EQ(offer.media[0].direction, Direction::kRecvOnly);
  EXPECT_TRUE(offer.media[0].ssrcs.empty());  // we declare only SSRCs we send
  const std::string text = write_sdp(offer);
  EXPECT_EQ(text.find("msid:peercall-caller audio"), std::string::npos);
  EXPECT_NE(text.find("a=msid:peercall-caller video\r\n"), std::string::npos);
  EXPECT_EQ(offer.media[1].direction, Direction::kSendOnly);
  local.send_video = false;
  offer = create_offer(local);
  ASSERT_EQ(offer.media.size(), 2u);
  EXPECT_EQ(offer.media[1].direction, Direction::kInactive);
  EXPECT_EQ(offer.attributes, (std::vector<Attribute>{{"group", "BUNDLE 0 1"}}));  // still bundled
}

TEST(OfferAnswer, CandidatesAreTakenWithOrWithoutPrefix) {
  LocalMediaConfig local = caller();
  local.transport.candidates = {"a=candidate:1 1 udp 1 192.0.2.1 1 typ host", "3 1 udp 1 192.0.2.1 2 typ host"};
  const std::string text = write_sdp(create_offer(local));
  EXPECT_NE(text.find("\r\na=candidate:1 1 udp 1 192.0.2.1 1 typ host\r\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\r\na=candidate:3 1 udp 1 192.0.2.1 2 typ host\r\n"), std::string::npos) << text;
}

TEST(OfferAnswer, CallNegotiatesBothWays) {
  const SessionDescription offer = create_offer(caller());
  auto answered = create_answer(via_text(offer), listener());
  ASSERT_TRUE(answered.ok()) << answered.error();
  const auto& [answer, at_listener] = *answered;
  expect_nothing_unimplemented(write_sdp(answer));
  EXPECT_EQ(answer.attributes, (std::vector<Attribute>{{"group", "BUNDLE 0 1"}}));
  EXPECT_EQ(at_listener.bundle_mids, (std::vector<std::string>{"0", "1"}));
  EXPECT_EQ(at_listener.remote.ice_ufrag, "cAll");
  EXPECT_EQ(at_listener.remote.ice_pwd, "callerPasswordIs22chars");
  EXPECT_EQ(at_listener.remote.fingerprint, kCallerFingerprint);
  EXPECT_EQ(at_listener.remote.candidates, caller().transport.candidates);  // deduplicated across m-lines
  EXPECT_FALSE(at_listener.remote.ice_lite);
  EXPECT_EQ(at_listener.dtls_role, DtlsRole::kClient);  // the answerer is active by default
  EXPECT_TRUE(at_listener.dtls_client());
  EXPECT_TRUE(at_listener.audio.enabled && at_listener.audio.send && at_listener.audio.receive);
  EXPECT_TRUE(at_listener.video.enabled && at_listener.video.send && at_listener.video.receive);
  EXPECT_EQ(at_listener.audio.codec.payload_type, 111);
  EXPECT_EQ(at_listener.video.codec.payload_type, 96);
  EXPECT_EQ(at_listener.audio.remote_ssrc, 0xA0A0A0A0);
  EXPECT_EQ(at_listener.video.remote_ssrc, 0xB0B0B0B0);
  EXPECT_EQ(at_listener.audio.mid, "0");
  EXPECT_EQ(at_listener.video.mid, "1");
  for (const MediaDescription& m : answer.media) {
    EXPECT_EQ(m.port, 9);
    EXPECT_EQ(m.protocol, "UDP/TLS/RTP/SAVPF");
  }

  auto at_caller = apply_answer(offer, via_text(answer));
  ASSERT_TRUE(at_caller.ok()) << at_caller.error();
  EXPECT_EQ(at_caller->dtls_role, DtlsRole::kServer);  // the answer said active
  EXPECT_EQ(at_caller->remote.ice_ufrag, "LiSt");
  EXPECT_EQ(at_caller->remote.ice_pwd, "listener+Password/24chr");
  EXPECT_EQ(at_caller->remote.fingerprint, kListenerFingerprint);
  EXPECT_EQ(at_caller->remote.candidates, listener().transport.candidates);
  EXPECT_EQ(at_caller->bundle_mids, (std::vector<std::string>{"0", "1"}));
  EXPECT_TRUE(at_caller->audio.send && at_caller->audio.receive);
  EXPECT_TRUE(at_caller->video.send && at_caller->video.receive);
  EXPECT_EQ(at_caller->audio.remote_ssrc, 0xC0C0C0C0);
  EXPECT_EQ(at_caller->video.remote_ssrc, 0xD0D0D0D0);
  EXPECT_EQ(at_caller->audio.codec, at_listener.audio.codec);
  EXPECT_EQ(at_caller->video.codec, at_listener.video.codec);
}

TEST(OfferAnswer, AnswererMayChooseToBeTheDtlsServer) {
  LocalMediaConfig local = listener();
  local.answerer_dtls_role = DtlsRole::kServer;
  const SessionDescription offer = create_offer(caller());
  auto answered = create_answer(offer, local);
  ASSERT_TRUE(answered.ok()) << answered.error();
  EXPECT_EQ(answered->second.dtls_role, DtlsRole::kServer);
  const std::string text = write_sdp(answered->first);
  EXPECT_NE(text.find("a=setup:passive\r\n"), std::string::npos);
  EXPECT_EQ(text.find("a=setup:active"), std::string::npos);
  auto at_caller = apply_answer(offer, via_text(answered->first));
  ASSERT_TRUE(at_caller.ok()) << at_caller.error();
  EXPECT_EQ(at_caller->dtls_role, DtlsRole::kClient);
}

TEST(OfferAnswer, OfferedActiveOrPassiveIsHonoured) {
  for (auto [offered, ours, written] : {std::tuple{"active", DtlsRole::kServer, "a=setup:passive\r\n"},
                                        std::tuple{"passive", DtlsRole::kClient, "a=setup:active\r\n"}}) {
    LocalMediaConfig local = listener();
    local.answerer_dtls_role = DtlsRole::kServer;  // only for actpass
    auto answered =
        create_answer(parse(replace_all(small_offer(), "a=setup:actpass", std::string("a=setup:") + offered)), local);
    ASSERT_TRUE(answered.ok()) << answered.error();
    EXPECT_EQ(answered->second.dtls_role, ours) << offered;
    EXPECT_NE(write_sdp(answered->first).find(written), std::string::npos) << offered;
  }
}

TEST(OfferAnswer, ViewerWatchesStreamer) {
  LocalMediaConfig viewer = caller();
  viewer.send_audio = viewer.send_video = false;
  LocalMediaConfig streamer = listener();
  streamer.recv_audio = streamer.recv_video = false;
  const SessionDescription offer = create_offer(viewer);
  auto answered = create_answer(via_text(offer), streamer);
  ASSERT_TRUE(answered.ok()) << answered.error();
  const auto& [answer, at_streamer] = *answered;
  for (const MediaDescription& m : answer.media) {
    EXPECT_EQ(m.direction, Direction::kSendOnly);
    EXPECT_EQ(m.ssrcs.size(), 1u);
  }
  EXPECT_TRUE(at_streamer.video.send);
  EXPECT_FALSE(at_streamer.video.receive);
  EXPECT_EQ(at_streamer.video.remote_ssrc, 0u);  // the viewer sends nothing
  auto at_viewer = apply_answer(offer, via_text(answer));
  ASSERT_TRUE(at_viewer.ok()) << at_viewer.error();
  EXPECT_FALSE(at_viewer->audio.send);
  EXPECT_TRUE(at_viewer->audio.receive);
  EXPECT_FALSE(at_viewer->video.send);
  EXPECT_TRUE(at_viewer->video.receive);
  EXPECT_EQ(at_viewer->video.remote_ssrc, 0xD0D0D0D0);
}

TEST(OfferAnswer, AnswerIsLimitedByWhatTheListenerWants) {
  LocalMediaConfig offerer = caller();
  offerer.recv_audio = false;  // offer audio sendonly
  LocalMediaConfig local = listener();
  local.send_video = local.recv_video = false;  // wants no video at all
  auto answered = create_answer(create_offer(offerer), local);
  ASSERT_TRUE(answered.ok());
  EXPECT_EQ(answered->first.media[0].direction, Direction::kRecvOnly);
  EXPECT_TRUE(answered->first.media[0].ssrcs.empty());
  EXPECT_EQ(answered->first.media[1].direction, Direction::kInactive);
  EXPECT_FALSE(answered->second.audio.send);
  EXPECT_TRUE(answered->second.audio.receive);
  EXPECT_TRUE(answered->second.video.enabled);  // accepted, held inactive (and still bundled)
  EXPECT_FALSE(answered->second.video.send || answered->second.video.receive);
  EXPECT_EQ(answered->second.bundle_mids, (std::vector<std::string>{"0", "1"}));
}

TEST(OfferAnswer, ApplyAnswerRejectsMismatches) {
  const SessionDescription offer = create_offer(caller());
  auto answered = create_answer(offer, listener());
  ASSERT_TRUE(answered.ok());
  const SessionDescription good = answered->first;
  ASSERT_TRUE(apply_answer(offer, good).ok());

  SessionDescription fewer = good;
  fewer.media.pop_back();
  EXPECT_EQ(apply_answer(offer, fewer).error(), "sdp: answer m-line count mismatch");

  SessionDescription swapped = good;
  std::swap(swapped.media[0], swapped.media[1]);
  EXPECT_EQ(apply_answer(offer, swapped).error(), "sdp: answer m-line mismatch");

  SessionDescription other_protocol = good;
  other_protocol.media[0].protocol = "RTP/AVP";
  EXPECT_EQ(apply_answer(offer, other_protocol).error(), "sdp: answer m-line mismatch");

  SessionDescription other_mid = good;
  other_mid.media[1].mid = "7";
  EXPECT_EQ(apply_answer(offer, other_mid).error(), "sdp: answer mid mismatch");

  SessionDescription unknown_pt = good;
  unknown_pt.media[1].codecs[0].payload_type = 100;
  EXPECT_EQ(apply_answer(offer, unknown_pt).error(), "sdp: answer codec not offered");

  SessionDescription renamed = good;
  renamed.media[0].codecs[0].name = "PCMU";
  EXPECT_EQ(apply_answer(offer, renamed).error(), "sdp: answer codec not offered");

  SessionDescription all_rejected = good;
  for (auto& m : all_rejected.media) m.port = 0;
  EXPECT_EQ(apply_answer(offer, all_rejected).error(), "sdp: no common codec");
}
