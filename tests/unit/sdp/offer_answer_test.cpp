#include "sdp/offer_answer.hpp"

#include <gtest/gtest.h>

#include <string>

#include "chrome_offer.hpp"
#include "sdp/sdp_parser.hpp"
#include "sdp/sdp_writer.hpp"

using namespace peercall;

namespace {

LocalMediaConfig endpoint(const char* address, uint16_t port, uint32_t audio_ssrc, uint32_t video_ssrc,
                          const char* cname) {
  LocalMediaConfig c{address, port};
  c.audio_ssrc = audio_ssrc;
  c.video_ssrc = video_ssrc;
  c.cname = cname;
  return c;
}

LocalMediaConfig caller() { return endpoint("192.0.2.10", 40000, 0xA0A0A0A0, 0xB0B0B0B0, "caller"); }
LocalMediaConfig listener() { return endpoint("192.0.2.20", 50000, 0xC0C0C0C0, 0xD0D0D0D0, "listener"); }

// Every exchange goes through text, as it does over HTTP.
SessionDescription via_text(const SessionDescription& sd) {
  auto parsed = parse_sdp(write_sdp(sd));
  EXPECT_TRUE(parsed.ok()) << parsed.error();
  return parsed.ok() ? *parsed : SessionDescription{};
}

SessionDescription parse(const std::string& text) {
  auto parsed = parse_sdp(text);
  EXPECT_TRUE(parsed.ok()) << parsed.error();
  return parsed.ok() ? *parsed : SessionDescription{};
}

const std::string kHeader = "v=0\r\no=- 5 1 IN IP4 203.0.113.5\r\ns=-\r\nc=IN IP4 203.0.113.5\r\nt=0 0\r\n";
const std::string kOpusLine =
    "m=audio 6000 RTP/AVP 111\r\na=rtpmap:111 opus/48000/2\r\na=ssrc:77 cname:x\r\n";

}  // namespace

TEST(OfferAnswer, OfferHasBundledOpusAndH264) {
  const SessionDescription offer = create_offer(caller());
  EXPECT_EQ(offer.connection_address, "192.0.2.10");
  EXPECT_EQ(offer.origin_address, "192.0.2.10");
  EXPECT_EQ(offer.attributes, (std::vector<Attribute>{{"group", "BUNDLE 0 1"}}));
  ASSERT_EQ(offer.media.size(), 2u);
  const MediaDescription& a = offer.media[0];
  EXPECT_EQ(a.kind, "audio");
  EXPECT_EQ(a.port, 40000);
  EXPECT_EQ(a.protocol, "RTP/AVP");
  EXPECT_EQ(a.mid, "0");
  EXPECT_TRUE(a.rtcp_mux);
  EXPECT_EQ(a.direction, Direction::kSendRecv);
  EXPECT_EQ(a.codecs, (std::vector<Codec>{{111, "opus", 48000, 2, "minptime=10;useinbandfec=1", {}}}));
  EXPECT_EQ(a.ssrcs, std::vector<uint32_t>{0xA0A0A0A0});
  EXPECT_EQ(a.cname, "caller");
  const MediaDescription& v = offer.media[1];
  EXPECT_EQ(v.kind, "video");
  EXPECT_EQ(v.port, 40000);
  EXPECT_EQ(v.mid, "1");
  EXPECT_EQ(v.codecs, (std::vector<Codec>{{96, "H264", 90000, 1,
                                           "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f",
                                           {"nack", "nack pli", "ccm fir"}}}));
  EXPECT_EQ(v.ssrcs, std::vector<uint32_t>{0xB0B0B0B0});
  EXPECT_EQ(via_text(offer), offer);
}

TEST(OfferAnswer, OfferDirectionsFollowFlags) {
  LocalMediaConfig local = caller();
  local.send_audio = false;  // recvonly audio
  local.recv_video = false;  // sendonly video
  SessionDescription offer = create_offer(local);
  EXPECT_EQ(offer.media[0].direction, Direction::kRecvOnly);
  EXPECT_TRUE(offer.media[0].ssrcs.empty());  // we declare only SSRCs we send
  EXPECT_EQ(offer.media[1].direction, Direction::kSendOnly);
  local.send_video = false;
  offer = create_offer(local);
  ASSERT_EQ(offer.media.size(), 2u);
  EXPECT_EQ(offer.media[1].direction, Direction::kInactive);
}

TEST(OfferAnswer, CallNegotiatesBothWays) {
  const SessionDescription offer = create_offer(caller());
  auto answered = create_answer(via_text(offer), listener());
  ASSERT_TRUE(answered.ok()) << answered.error();
  const auto& [answer, at_listener] = *answered;
  EXPECT_EQ(answer.attributes, (std::vector<Attribute>{{"group", "BUNDLE 0 1"}}));
  EXPECT_EQ(at_listener.remote_address, "192.0.2.10");
  EXPECT_EQ(at_listener.remote_port, 40000);
  EXPECT_TRUE(at_listener.audio.enabled && at_listener.audio.send && at_listener.audio.receive);
  EXPECT_TRUE(at_listener.video.enabled && at_listener.video.send && at_listener.video.receive);
  EXPECT_EQ(at_listener.audio.codec.payload_type, 111);
  EXPECT_EQ(at_listener.video.codec.payload_type, 96);
  EXPECT_EQ(at_listener.audio.remote_ssrc, 0xA0A0A0A0);
  EXPECT_EQ(at_listener.video.remote_ssrc, 0xB0B0B0B0);
  EXPECT_EQ(at_listener.audio.mid, "0");
  EXPECT_EQ(at_listener.video.mid, "1");

  auto at_caller = apply_answer(offer, via_text(answer));
  ASSERT_TRUE(at_caller.ok()) << at_caller.error();
  EXPECT_EQ(at_caller->remote_address, "192.0.2.20");
  EXPECT_EQ(at_caller->remote_port, 50000);
  EXPECT_TRUE(at_caller->audio.send && at_caller->audio.receive);
  EXPECT_TRUE(at_caller->video.send && at_caller->video.receive);
  EXPECT_EQ(at_caller->audio.remote_ssrc, 0xC0C0C0C0);
  EXPECT_EQ(at_caller->video.remote_ssrc, 0xD0D0D0D0);
  EXPECT_EQ(at_caller->audio.codec, at_listener.audio.codec);
  EXPECT_EQ(at_caller->video.codec, at_listener.video.codec);
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
  EXPECT_TRUE(answered->second.video.enabled);  // accepted, held inactive
  EXPECT_FALSE(answered->second.video.send || answered->second.video.receive);
}

TEST(OfferAnswer, ChromeOfferGetsOpusAndPacketizationMode1H264) {
  auto answered = create_answer(parse(test::chrome_offer()), listener());
  ASSERT_TRUE(answered.ok()) << answered.error();
  const auto& [answer, n] = *answered;
  EXPECT_EQ(n.audio.codec.payload_type, 111);
  EXPECT_EQ(n.audio.codec.name, "opus");
  EXPECT_EQ(n.video.codec.payload_type, 104);  // 102 is H264 too, but packetization-mode=0
  EXPECT_EQ(n.video.codec.fmtp, "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f");
  EXPECT_EQ(n.video.codec.rtcp_feedback, (std::vector<std::string>{"ccm fir", "nack", "nack pli"}));
  EXPECT_TRUE(n.audio.codec.rtcp_feedback.empty());
  EXPECT_EQ(n.audio.remote_ssrc, 2718281828u);
  EXPECT_EQ(n.video.remote_ssrc, 3141592653u);  // the media SSRC, not its RTX twin
  EXPECT_EQ(n.remote_address, "0.0.0.0");
  EXPECT_EQ(n.remote_port, 9);
  ASSERT_EQ(answer.media.size(), 2u);
  EXPECT_EQ(answer.media[1].protocol, "UDP/TLS/RTP/SAVPF");
  EXPECT_EQ(answer.media[1].codecs.size(), 1u);
  EXPECT_EQ(answer.media[1].mid, "1");
  EXPECT_EQ(answer.attributes, (std::vector<Attribute>{{"group", "BUNDLE 0 1"}}));
  EXPECT_EQ(via_text(answer), answer);
}

TEST(OfferAnswer, AudioOnlyOffer) {
  const SessionDescription offer = parse(kHeader + kOpusLine);
  auto answered = create_answer(offer, listener());
  ASSERT_TRUE(answered.ok()) << answered.error();
  ASSERT_EQ(answered->first.media.size(), 1u);
  EXPECT_TRUE(answered->second.audio.enabled);
  EXPECT_FALSE(answered->second.video.enabled);
  EXPECT_EQ(answered->second.remote_address, "203.0.113.5");
  EXPECT_EQ(answered->second.remote_port, 6000);
  EXPECT_EQ(answered->second.audio.remote_ssrc, 77u);
  EXPECT_TRUE(answered->first.attributes.empty());  // no BUNDLE offered, none answered
  auto applied = apply_answer(offer, via_text(answered->first));
  ASSERT_TRUE(applied.ok()) << applied.error();
  EXPECT_FALSE(applied->video.enabled);
  EXPECT_EQ(applied->remote_port, 50000);
}

TEST(OfferAnswer, Vp8OnlyVideoIsRejectedAudioKept) {
  const SessionDescription offer = parse(kHeader + "a=group:BUNDLE 0 1\r\n" + kOpusLine + "a=mid:0\r\n" +
                                         "m=video 6000 RTP/AVP 96\r\na=mid:1\r\na=rtpmap:96 VP8/90000\r\n");
  auto answered = create_answer(offer, listener());
  ASSERT_TRUE(answered.ok()) << answered.error();
  const SessionDescription answer = via_text(answered->first);
  ASSERT_EQ(answer.media.size(), 2u);
  EXPECT_EQ(answer.media[0].port, 50000);
  EXPECT_EQ(answer.media[1].port, 0);
  ASSERT_EQ(answer.media[1].codecs.size(), 1u);  // a rejected m-line still lists a format
  EXPECT_EQ(answer.media[1].codecs[0].payload_type, 96);
  EXPECT_EQ(answer.attributes, (std::vector<Attribute>{{"group", "BUNDLE 0"}}));
  EXPECT_FALSE(answered->second.video.enabled);
  auto applied = apply_answer(offer, answer);
  ASSERT_TRUE(applied.ok()) << applied.error();
  EXPECT_TRUE(applied->audio.enabled);
  EXPECT_FALSE(applied->video.enabled);
}

TEST(OfferAnswer, RejectsWhatWeCannotUse) {
  // H264 without packetization-mode=1, VP8, a second audio m-line, a disabled m-line.
  const SessionDescription offer = parse(
      kHeader + "m=video 6000 RTP/AVP 96 97\r\na=rtpmap:96 VP8/90000\r\na=rtpmap:97 H264/90000\r\n"
                "a=fmtp:97 packetization-mode=0\r\nm=audio 0 RTP/AVP 111\r\na=rtpmap:111 opus/48000/2\r\n");
  auto answered = create_answer(offer, listener());
  ASSERT_FALSE(answered.ok());
  EXPECT_EQ(answered.error(), "sdp: no common codec");

  const SessionDescription two_audio =
      parse(kHeader + kOpusLine + "m=audio 6002 RTP/AVP 112\r\na=rtpmap:112 OPUS/48000/2\r\n");
  answered = create_answer(two_audio, listener());
  ASSERT_TRUE(answered.ok());
  EXPECT_EQ(answered->first.media[0].port, 50000);
  EXPECT_EQ(answered->first.media[1].port, 0);
  EXPECT_EQ(answered->second.audio.codec.payload_type, 111);

  const SessionDescription no_address = parse(
      "v=0\r\no=- 5 1 IN IP4 203.0.113.5\r\ns=-\r\nt=0 0\r\n" + kOpusLine);
  EXPECT_EQ(create_answer(no_address, listener()).error(), "sdp: no connection address");
}

TEST(OfferAnswer, MediaLevelAddressWinsAndOffererPayloadTypeIsKept) {
  const SessionDescription offer = parse(
      kHeader + "m=video 7000 RTP/AVP 120\r\nc=IN IP4 198.51.100.1\r\na=rtpmap:120 h264/90000\r\n"
                "a=fmtp:120 profile-level-id=640028; packetization-mode=1\r\n");
  auto answered = create_answer(offer, listener());
  ASSERT_TRUE(answered.ok()) << answered.error();
  EXPECT_EQ(answered->second.remote_address, "198.51.100.1");
  EXPECT_EQ(answered->second.video.codec.payload_type, 120);
  EXPECT_EQ(answered->first.media[0].codecs[0].payload_type, 120);
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
  other_protocol.media[0].protocol = "RTP/SAVP";
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

  SessionDescription no_address = good;
  no_address.connection_address.reset();
  EXPECT_EQ(apply_answer(offer, no_address).error(), "sdp: no connection address");
}
