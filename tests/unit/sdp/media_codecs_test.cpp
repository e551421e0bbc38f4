// Which offered codec peercall answers with.
#include "sdp/media_codecs.hpp"

#include <gtest/gtest.h>

#include <string>

#include "sdp/offer_answer.hpp"
#include "sdp_test_peers.hpp"

using namespace peercall;
using namespace peercall::test;

namespace {

// The payload type the answer picks for a video m-line listing these H264 fmtps.
int chosen_h264(std::initializer_list<std::pair<int, std::string>> codecs) {
  auto answered = create_answer(parse(offer_header() + opus_section("0") + h264_section("1", codecs)), listener());
  if (!answered.ok()) return -1;
  return answered->second.video.enabled ? answered->second.video.codec.payload_type : 0;
}

}  // namespace

TEST(MediaCodecs, H264ProfileClasses) {
  using enum H264ProfileClass;
  EXPECT_EQ(h264_profile_class("profile-level-id=42e01f;packetization-mode=1"), kConstrainedBaseline);
  EXPECT_EQ(h264_profile_class("packetization-mode=1; profile-level-id=42C01F"), kConstrainedBaseline);
  EXPECT_EQ(h264_profile_class("profile-level-id=4d801f"), kConstrainedBaseline);  // Main with constraint_set0
  EXPECT_EQ(h264_profile_class("profile-level-id=42001f"), kBaseline);
  EXPECT_EQ(h264_profile_class("packetization-mode=1"), kBaseline);  // RFC 6184 default 42000a
  EXPECT_EQ(h264_profile_class("profile-level-id=4d001f"), kOther);  // Main
  EXPECT_EQ(h264_profile_class("profile-level-id=64001f"), kOther);  // High
  EXPECT_EQ(h264_profile_class("profile-level-id=42e0"), kOther);    // malformed
  EXPECT_EQ(h264_profile_class("profile-level-id=zz001f"), kOther);
}

TEST(MediaCodecs, AnswerPrefersConstrainedBaselineThenBaselineThenAny) {
  EXPECT_EQ(chosen_h264({{100, "packetization-mode=1;profile-level-id=64001f"},
                         {101, "packetization-mode=1;profile-level-id=42001f"},
                         {102, "packetization-mode=0;profile-level-id=42e01f"},
                         {103, "packetization-mode=1;profile-level-id=42c01f"},
                         {104, "packetization-mode=1;profile-level-id=42e01f"}}),
            103);  // the first constrained baseline with mode 1
  EXPECT_EQ(chosen_h264({{100, "packetization-mode=1;profile-level-id=64001f"},
                         {101, "packetization-mode=1;profile-level-id=42001f"}}),
            101);
  EXPECT_EQ(chosen_h264({{100, "packetization-mode=1;profile-level-id=64001f"},
                         {101, "packetization-mode=1;profile-level-id=4d001f"}}),
            100);  // FFmpeg decodes any profile
  EXPECT_EQ(chosen_h264({{100, "packetization-mode=0;profile-level-id=42e01f"}}), 0);  // no FU-A: rejected
}

TEST(MediaCodecs, AnswerEchoesTheChosenFmtpAndOnlyPli) {
  auto answered = create_answer(
      parse(offer_header() + opus_section("0") +
            h264_section("1", {{120, "profile-level-id=640028; packetization-mode=1"}})),
      listener());
  ASSERT_TRUE(answered.ok()) << answered.error();
  const Codec& video = answered->first.media[1].codecs.at(0);
  EXPECT_EQ(video.payload_type, 120);  // the offerer's payload type
  EXPECT_EQ(video.fmtp, "profile-level-id=640028; packetization-mode=1");
  EXPECT_EQ(video.rtcp_feedback, std::vector<std::string>{"nack pli"});
  const Codec& audio = answered->first.media[0].codecs.at(0);
  EXPECT_EQ(audio.fmtp, "minptime=10");
}

TEST(MediaCodecs, SupportedCodecs) {
  EXPECT_TRUE(codec_supported("audio", {111, "OPUS", 48000, 2, "", {}}));
  EXPECT_FALSE(codec_supported("audio", {0, "PCMU", 8000, 1, "", {}}));
  EXPECT_FALSE(codec_supported("video", {96, "VP8", 90000, 1, "", {}}));
  EXPECT_FALSE(codec_supported("video", {96, "H264", 90000, 1, "profile-level-id=42e01f", {}}));  // mode 0
  EXPECT_TRUE(codec_supported("video", {96, "h264", 90000, 1, "packetization-mode=1", {}}));
  EXPECT_FALSE(codec_supported("audio", {96, "h264", 90000, 1, "packetization-mode=1", {}}));
}

TEST(MediaCodecs, SecondAudioAndVp8OnlyVideoAreRejected) {
  const std::string offer = offer_header("0 1 2") + opus_section("0") +
                            replace_all(opus_section("1"), "111", "112") +
                            replace_all(replace_all(h264_section("2", {{96, "packetization-mode=1"}}), "H264", "VP8"),
                                        "a=fmtp:96 packetization-mode=1\r\n", "");
  auto answered = create_answer(parse(offer), listener());
  ASSERT_TRUE(answered.ok()) << answered.error();
  const SessionDescription answer = via_text(answered->first);
  ASSERT_EQ(answer.media.size(), 3u);
  EXPECT_EQ(answer.media[0].port, 9);
  EXPECT_EQ(answer.media[1].port, 0);
  EXPECT_EQ(answer.media[1].mid, "1");
  EXPECT_EQ(answer.media[2].port, 0);
  EXPECT_EQ(answer.media[2].codecs.at(0).payload_type, 96);  // a rejected m-line still lists a format
  EXPECT_EQ(answer.attributes, (std::vector<Attribute>{{"group", "BUNDLE 0"}}));
  EXPECT_EQ(answered->second.audio.codec.payload_type, 111);
  EXPECT_FALSE(answered->second.video.enabled);
  auto applied = apply_answer(parse(offer), answer);
  ASSERT_TRUE(applied.ok()) << applied.error();
  EXPECT_TRUE(applied->audio.enabled);
  EXPECT_FALSE(applied->video.enabled);
}
