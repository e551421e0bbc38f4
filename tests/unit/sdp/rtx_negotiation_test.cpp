// NACK and RTX (RFC 4588) in offers and answers: a=rtcp-fb nack, the rtx
// payload type with its apt, a=ssrc-group:FID pairing media and RTX SSRCs.
#include <gtest/gtest.h>

#include "chrome_offer.hpp"
#include "sdp/offer_answer.hpp"
#include "sdp_test_peers.hpp"

using namespace peercall;
using namespace peercall::test;

namespace {

LocalMediaConfig with_rtx(LocalMediaConfig c, uint32_t rtx_ssrc) {
  c.video_rtx_ssrc = rtx_ssrc;
  return c;
}

bool has(const std::string& text, const std::string& line) { return text.find(line + "\r\n") != std::string::npos; }

}  // namespace

TEST(RtxNegotiation, OfferDeclaresRtxAndPairsTheSsrcs) {
  const SessionDescription offer = create_offer(with_rtx(caller(), 0xB1B1B1B1));
  const std::string text = write_sdp(offer);
  EXPECT_TRUE(has(text, "m=video 9 UDP/TLS/RTP/SAVPF 96 97")) << text;
  EXPECT_TRUE(has(text, "a=rtcp-fb:96 nack"));
  EXPECT_TRUE(has(text, "a=rtcp-fb:96 nack pli"));
  EXPECT_TRUE(has(text, "a=rtpmap:97 rtx/90000"));
  EXPECT_TRUE(has(text, "a=fmtp:97 apt=96"));
  EXPECT_TRUE(has(text, "a=ssrc-group:FID 2964369584 2981212593"));
  EXPECT_TRUE(has(text, "a=ssrc:2964369584 cname:caller"));
  EXPECT_TRUE(has(text, "a=ssrc:2981212593 cname:caller"));
  EXPECT_TRUE(has(text, "a=ssrc:2981212593 msid:peercall-caller video"));
  EXPECT_EQ(text.find("rtcp-fb:97"), std::string::npos);  // feedback is for the media PT
  EXPECT_EQ(text.find("a=rtpmap:97", text.find("m=audio")), text.find("a=rtpmap:97"));  // video only
  const SessionDescription parsed = via_text(offer);
  EXPECT_EQ(parsed, offer);
}

TEST(RtxNegotiation, PeercallToPeercallAgreesOnRtxBothWays) {
  const SessionDescription offer = create_offer(with_rtx(caller(), 0xB1B1B1B1));
  auto answered = create_answer(via_text(offer), with_rtx(listener(), 0xD1D1D1D1));
  ASSERT_TRUE(answered.ok()) << answered.error();
  const auto& [answer, at_listener] = *answered;
  EXPECT_TRUE(at_listener.video.nack);
  EXPECT_EQ(at_listener.video.rtx_payload_type, 97);
  EXPECT_EQ(at_listener.video.remote_ssrc, 0xB0B0B0B0);
  EXPECT_EQ(at_listener.video.remote_rtx_ssrc, 0xB1B1B1B1);
  const std::string text = write_sdp(answer);
  EXPECT_TRUE(has(text, "a=rtpmap:97 rtx/90000")) << text;
  EXPECT_TRUE(has(text, "a=fmtp:97 apt=96"));
  EXPECT_TRUE(has(text, "a=ssrc-group:FID 3503345872 3520188881"));

  auto at_caller = apply_answer(offer, via_text(answer));
  ASSERT_TRUE(at_caller.ok()) << at_caller.error();
  EXPECT_TRUE(at_caller->video.nack);
  EXPECT_EQ(at_caller->video.rtx_payload_type, 97);
  EXPECT_EQ(at_caller->video.remote_ssrc, 0xD0D0D0D0);
  EXPECT_EQ(at_caller->video.remote_rtx_ssrc, 0xD1D1D1D1);
  EXPECT_FALSE(at_caller->audio.nack);
  EXPECT_EQ(at_caller->audio.rtx_payload_type, 0);
}

TEST(RtxNegotiation, AnswerWithoutRtxMeansNone) {
  const SessionDescription offer = create_offer(with_rtx(caller(), 0xB1B1B1B1));
  auto answered = create_answer(via_text(offer), listener());  // an answerer without RTX
  ASSERT_TRUE(answered.ok()) << answered.error();
  EXPECT_EQ(answered->second.video.rtx_payload_type, 0);
  EXPECT_EQ(write_sdp(answered->first).find("rtx"), std::string::npos);
  auto at_caller = apply_answer(offer, via_text(answered->first));
  ASSERT_TRUE(at_caller.ok()) << at_caller.error();
  EXPECT_EQ(at_caller->video.rtx_payload_type, 0);
  EXPECT_EQ(at_caller->video.remote_rtx_ssrc, 0u);
  EXPECT_TRUE(at_caller->video.nack);  // NACK without RTX: plain resends
}

TEST(RtxNegotiation, BrowserOfferGetsItsRtxForTheChosenH264) {
  auto answered = create_answer(parse(chrome_offer()), with_rtx(listener(), 0xD1D1D1D1));
  ASSERT_TRUE(answered.ok()) << answered.error();
  const auto& [answer, n] = *answered;
  ASSERT_EQ(n.video.codec.payload_type, 108);
  EXPECT_EQ(n.video.rtx_payload_type, 109);  // a=fmtp:109 apt=108
  EXPECT_EQ(n.video.remote_ssrc, 3141592653u);
  EXPECT_EQ(n.video.remote_rtx_ssrc, 1618033988u);  // a=ssrc-group:FID 3141592653 1618033988
  const std::string text = write_sdp(answer);
  EXPECT_TRUE(has(text, "m=video 9 UDP/TLS/RTP/SAVPF 108 109")) << text;
  EXPECT_TRUE(has(text, "a=rtpmap:109 rtx/90000"));
  EXPECT_TRUE(has(text, "a=fmtp:109 apt=108"));
  EXPECT_TRUE(has(text, "a=ssrc-group:FID 3503345872 3520188881"));
  for (const char* other_rtx : {"a=rtpmap:97 ", "a=rtpmap:99 ", "a=rtpmap:103 "})
    EXPECT_EQ(text.find(other_rtx), std::string::npos) << other_rtx;
}

TEST(RtxNegotiation, RtxAptParsing) {
  EXPECT_EQ(rtx_associated_payload_type({97, "rtx", 90000, 1, "apt=96", {}}), 96);
  EXPECT_EQ(rtx_associated_payload_type({97, "RTX", 90000, 1, "rtx-time=3000;apt=100", {}}), 100);
  EXPECT_FALSE(rtx_associated_payload_type({97, "rtx", 90000, 1, "", {}}));
  EXPECT_FALSE(rtx_associated_payload_type({97, "rtx", 90000, 1, "apt=300", {}}));
  EXPECT_FALSE(rtx_associated_payload_type({97, "rtx", 90000, 1, "apt=9x", {}}));
  EXPECT_FALSE(rtx_associated_payload_type({96, "H264", 90000, 1, "apt=96", {}}));
}
