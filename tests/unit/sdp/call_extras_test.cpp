// The chat's data channel and transport-wide congestion control in the SDP:
// offered and agreed between two peercalls, taken from a browser's offer.
#include "sdp/call_extras.hpp"

#include <gtest/gtest.h>

#include "sdp/offer_answer.hpp"
#include "sdp/sdp_parser.hpp"
#include "sdp/sdp_writer.hpp"
#include "sdp_test_peers.hpp"

using namespace peercall;
using namespace peercall::test;

namespace {

LocalMediaConfig with_extras(LocalMediaConfig c) {
  c.data_channel = true;
  c.transport_cc = true;
  return c;
}

TEST(CallExtras, PeercallsAgreeOnTheDataChannelAndTransportCc) {
  const SessionDescription offer = via_text(create_offer(with_extras(caller())));
  ASSERT_EQ(offer.media.size(), 3u);
  EXPECT_TRUE(is_data_channel(offer.media[2]));
  EXPECT_EQ(transport_cc_id(offer.media[0]), kTransportCcExtensionId);
  EXPECT_EQ(transport_cc_id(offer.media[1]), kTransportCcExtensionId);
  auto answered = create_answer(offer, with_extras(listener()));
  ASSERT_TRUE(answered.ok()) << answered.error();
  EXPECT_TRUE(answered->second.data.enabled);
  EXPECT_EQ(answered->second.data.remote_port, 5000);
  EXPECT_EQ(answered->second.data.remote_max_message_size, kOurMaxMessageSize);
  EXPECT_EQ(answered->second.transport_cc_id, kTransportCcExtensionId);
  const std::string text = write_sdp(answered->first);
  EXPECT_NE(text.find("a=rtcp-fb:96 transport-cc"), std::string::npos) << text;
  EXPECT_NE(text.find("a=group:BUNDLE 0 1 2"), std::string::npos) << text;

  auto applied = apply_answer(offer, via_text(answered->first));
  ASSERT_TRUE(applied.ok()) << applied.error();
  EXPECT_TRUE(applied->data.enabled);
  EXPECT_EQ(applied->data.mid, "2");
  EXPECT_EQ(applied->transport_cc_id, kTransportCcExtensionId);
}

TEST(CallExtras, WithoutThemNothingIsOfferedOrAccepted) {
  const SessionDescription offer = via_text(create_offer(with_extras(caller())));
  auto answered = create_answer(offer, listener());  // an older peercall: neither
  ASSERT_TRUE(answered.ok()) << answered.error();
  EXPECT_FALSE(answered->second.data.enabled);
  EXPECT_EQ(answered->second.transport_cc_id, 0);
  EXPECT_EQ(answered->first.media[2].port, 0);  // the data channel refused
  auto applied = apply_answer(offer, via_text(answered->first));
  ASSERT_TRUE(applied.ok()) << applied.error();
  EXPECT_FALSE(applied->data.enabled);
  EXPECT_EQ(applied->transport_cc_id, 0);
}

TEST(CallExtras, ReadsTheBrowsersSctpPortAndMessageSize) {
  MediaDescription m = data_channel_media("2", {}, DtlsSetup::kActpass);
  m.other_attributes = {{"sctp-port", "5001"}, {"max-message-size", "0"}};
  const NegotiatedDataChannel d = read_data_channel(m);
  EXPECT_EQ(d.remote_port, 5001);
  EXPECT_EQ(d.remote_max_message_size, kOurMaxMessageSize);  // 0: any size, ours bounds it
  m.other_attributes = {};
  EXPECT_EQ(read_data_channel(m).remote_max_message_size, 65536u);  // RFC 8841 default
}

TEST(CallExtras, TransportCcIdIsReadFromChromesExtmapForms) {
  MediaDescription m;
  m.other_attributes = {{"extmap", "1 urn:ietf:params:rtp-hdrext:ssrc-audio-level"},
                        {"extmap", std::string("5/sendrecv ") + kTransportCcUri}};
  EXPECT_EQ(transport_cc_id(m), 5);
  m.other_attributes = {{"extmap", std::string("15 ") + kTransportCcUri}};  // not a one-byte id
  EXPECT_EQ(transport_cc_id(m), 0);
}

}  // namespace

namespace {

TEST(CallExtras, PeercallsAgreeOnFlexFecWithTheirSsrcs) {
  LocalMediaConfig a = caller(), b = listener();
  a.video_fec_ssrc = 777001;
  b.video_fec_ssrc = 888002;
  const SessionDescription offer = via_text(create_offer(a));
  ASSERT_NE(find_flexfec(offer.media[1]), nullptr);
  EXPECT_EQ(fec_ssrc_of(offer.media[1], a.video_ssrc), 777001u);
  auto answered = create_answer(offer, b);
  ASSERT_TRUE(answered.ok()) << answered.error();
  EXPECT_EQ(answered->second.video.fec_payload_type, kFlexFecPayloadType);
  EXPECT_EQ(answered->second.video.remote_fec_ssrc, 777001u);
  auto applied = apply_answer(offer, via_text(answered->first));
  ASSERT_TRUE(applied.ok()) << applied.error();
  EXPECT_EQ(applied->video.fec_payload_type, kFlexFecPayloadType);
  EXPECT_EQ(applied->video.remote_fec_ssrc, 888002u);
  // An answerer without FEC: none for either side.
  auto plain = create_answer(offer, listener());
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->second.video.fec_payload_type, 0);
  EXPECT_EQ(find_flexfec(plain->first.media[1]), nullptr);
  auto applied_plain = apply_answer(offer, via_text(plain->first));
  ASSERT_TRUE(applied_plain.ok()) << applied_plain.error();
  EXPECT_EQ(applied_plain->video.fec_payload_type, 0);
}

}  // namespace

#include "chrome_offer.hpp"

namespace {

bool has_line(const std::string& text, const std::string& line) { return text.find(line) != std::string::npos; }

TEST(CallExtras, BrowserOfferGetsRedAndUlpfecWhenFecIsOn) {
  LocalMediaConfig b = listener();
  b.video_rtx_ssrc = 0xD1D1D1D1;
  b.video_fec_ssrc = 888002;
  auto answered = create_answer(parse(chrome_offer()), b);
  ASSERT_TRUE(answered.ok()) << answered.error();
  const auto& [answer, n] = *answered;
  EXPECT_EQ(n.video.fec_payload_type, 0) << "the browser offers no FlexFEC";
  EXPECT_EQ(n.video.red_payload_type, 116);
  EXPECT_EQ(n.video.ulpfec_payload_type, 118);
  EXPECT_EQ(n.video.red_rtx_payload_type, 117);  // a=fmtp:117 apt=116
  EXPECT_EQ(n.video.rtx_payload_type, 109);      // H.264's own, for what the browser resends
  EXPECT_EQ(n.audio.red_payload_type, 0) << "audio RED (red/48000) is not taken";
  const std::string text = write_sdp(answer);
  EXPECT_TRUE(has_line(text, "m=video 9 UDP/TLS/RTP/SAVPF 108 109 116 117 118")) << text;
  EXPECT_TRUE(has_line(text, "a=rtpmap:116 red/90000"));
  EXPECT_TRUE(has_line(text, "a=rtpmap:118 ulpfec/90000"));
  EXPECT_TRUE(has_line(text, "a=fmtp:117 apt=116"));
  EXPECT_FALSE(has_line(text, "FEC-FR")) << "ULPFEC has no SSRC of its own";
  // The answer parses back (as the browser reads it) to the same choice.
  const SessionDescription reread = via_text(answer);
  ASSERT_TRUE(find_red_ulpfec(reread.media[1], true).has_value());

  // FEC off: neither is answered.
  b.video_fec_ssrc = 0;
  auto plain = create_answer(parse(chrome_offer()), b);
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->second.video.red_payload_type, 0);
  EXPECT_FALSE(has_line(write_sdp(plain->first), "ulpfec"));
}

TEST(CallExtras, RedNeedsItsRtxWhenTheCallResends) {
  MediaDescription m;
  m.codecs = {{108, "H264", 90000, 1, "", {}}, {109, "rtx", 90000, 1, "apt=108", {}},
              {116, "red", 90000, 1, "", {}}, {118, "ulpfec", 90000, 1, "", {}}};
  EXPECT_FALSE(find_red_ulpfec(m, true).has_value()) << "no rtx apt=116: RED could not be resent";
  auto without_rtx = find_red_ulpfec(m, false);
  ASSERT_TRUE(without_rtx.has_value());
  EXPECT_EQ(without_rtx->red_rtx, nullptr);
  m.codecs.pop_back();
  EXPECT_FALSE(find_red_ulpfec(m, false).has_value()) << "RED alone is no FEC";
}

}  // namespace
