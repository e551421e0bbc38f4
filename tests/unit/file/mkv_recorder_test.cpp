#include "output/file/mkv_recorder.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <functional>

#include "test_media.hpp"

namespace peercall {
namespace {

class MkvRecorderTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const Instant base = Clock::now();
    // 3 s of 320x240 at 30 fps and 3 s of 20 ms Opus. Keyframes at 0 and 2.5 s:
    // the muxer also cuts clusters at keyframes, and the 1 s cluster limit must
    // be what makes the first 2 s reach the disk.
    video_ = new std::vector<EncodedFrame>(test::encode_h264(90, 320, 240, 30, 75, base));
    audio_ = new std::vector<EncodedFrame>(test::encode_opus(150, base));
  }
  static void TearDownTestSuite() {
    delete video_;
    delete audio_;
  }

  // Feeds both streams in capture-time order, as the app would. `at_ms` (if
  // reached) gets a callback before the first frame captured at or after it.
  static void feed(MkvRecorder& rec, bool video, bool audio, int at_ms = -1,
                   const std::function<void()>& at = {}) {
    size_t v = 0;
    size_t a = 0;
    const Instant base = std::min(video_->front().capture_time, audio_->front().capture_time);
    bool called = false;
    while ((video && v < video_->size()) || (audio && a < audio_->size())) {
      const bool take_video =
          video && v < video_->size() && (!audio || a >= audio_->size() || (*video_)[v].capture_time <= (*audio_)[a].capture_time);
      const EncodedFrame& next = take_video ? (*video_)[v] : (*audio_)[a];
      if (at && !called && next.capture_time - base >= milliseconds(at_ms)) {
        at();
        called = true;
      }
      if (take_video) {
        rec.write_video((*video_)[v++]);
      } else {
        rec.write_audio((*audio_)[a++]);
      }
    }
  }

  static std::vector<EncodedFrame>* video_;
  static std::vector<EncodedFrame>* audio_;
  test::TempDir dir_;
};
std::vector<EncodedFrame>* MkvRecorderTest::video_ = nullptr;
std::vector<EncodedFrame>* MkvRecorderTest::audio_ = nullptr;

TEST_F(MkvRecorderTest, RecordsBothTracksAndAnInterruptedCopyStillPlays) {
  ASSERT_EQ(video_->size(), 90u) << "libx264 encoding failed";
  ASSERT_TRUE(video_->front().keyframe);
  ASSERT_EQ(audio_->size(), 150u);
  const std::string file = dir_.path("call.mkv");
  const std::string copy = dir_.path("killed.mkv");
  auto rec = MkvRecorder::open(file, true, true);
  ASSERT_TRUE(rec.ok()) << rec.error();
  // The copy taken 2.1 s in is what a SIGKILL would leave behind.
  feed(**rec, true, true, 2100, [&] { std::filesystem::copy_file(file, copy); });
  (*rec)->close();
  EXPECT_EQ((*rec)->error(), "");
  EXPECT_EQ((*rec)->stats().video_frames, 90u);
  EXPECT_EQ((*rec)->stats().audio_packets, 150u);
  EXPECT_EQ((*rec)->stats().dropped, 0u);

  const test::Probed full = test::probe(file);
  ASSERT_EQ(full.video.size(), 1u);
  ASSERT_EQ(full.audio.size(), 1u);
  EXPECT_EQ(full.video[0].codec_name, "h264");
  EXPECT_EQ(full.video[0].width, 320);
  EXPECT_EQ(full.video[0].height, 240);
  EXPECT_EQ(full.video[0].frames, 90);
  EXPECT_EQ(full.audio[0].codec_name, "opus");
  EXPECT_EQ(full.audio[0].sample_rate, 48000);
  EXPECT_EQ(full.audio[0].channels, 1);
  EXPECT_EQ(full.audio[0].frames, 150);
  EXPECT_NEAR(full.duration, 3.0, 0.1);
  // Decodes without errors from start to end.
  EXPECT_EQ(test::shell("ffmpeg -nostdin -v error -i '" + file + "' -f null - 2>&1"), "");

  // At least the first full second is in the copy, with both tracks.
  const test::Probed cut = test::probe(copy);
  ASSERT_EQ(cut.video.size(), 1u);
  ASSERT_EQ(cut.audio.size(), 1u);
  EXPECT_EQ(cut.video[0].codec_name, "h264");
  EXPECT_EQ(cut.audio[0].codec_name, "opus");
  EXPECT_GE(cut.video[0].frames, 30);
  EXPECT_GE(cut.audio[0].frames, 50);
}

TEST_F(MkvRecorderTest, VideoBeforeTheFirstKeyframeIsDropped) {
  const std::string file = dir_.path("late.mkv");
  auto rec = MkvRecorder::open(file, true, false);
  ASSERT_TRUE(rec.ok());
  // Join 10 frames in (P-frames) and record until the end: frames 10..74 wait
  // for the keyframe at 75.
  ASSERT_TRUE((*video_)[75].keyframe);
  for (size_t i = 10; i < video_->size(); ++i) (*rec)->write_video((*video_)[i]);
  (*rec)->close();
  EXPECT_EQ((*rec)->stats().dropped, 65u);
  EXPECT_EQ((*rec)->stats().video_frames, 15u);
  const test::Probed p = test::probe(file);
  ASSERT_EQ(p.video.size(), 1u);
  EXPECT_EQ(p.video[0].frames, 15);
  EXPECT_TRUE(p.audio.empty());
  EXPECT_NEAR(p.duration, 0.5, 0.1);  // starts at the keyframe
}

TEST_F(MkvRecorderTest, AudioOnly) {
  const std::string file = dir_.path("voice.mkv");
  auto rec = MkvRecorder::open(file, false, true);
  ASSERT_TRUE(rec.ok());
  feed(**rec, false, true);
  (*rec)->write_video(video_->front());  // no video track: dropped
  (*rec)->close();
  EXPECT_EQ((*rec)->stats().dropped, 1u);
  const test::Probed p = test::probe(file);
  ASSERT_EQ(p.audio.size(), 1u);
  EXPECT_EQ(p.audio[0].codec_name, "opus");
  EXPECT_EQ(p.audio[0].frames, 150);
  EXPECT_TRUE(p.video.empty());
  EXPECT_NEAR(p.duration, 3.0, 0.1);
}

TEST_F(MkvRecorderTest, WithoutAnyKeyframeTheHeldBackAudioIsKept) {
  const std::string file = dir_.path("camera_off.mkv");
  auto rec = MkvRecorder::open(file, true, true);
  ASSERT_TRUE(rec.ok());
  for (size_t i = 0; i < 75; ++i) (*rec)->write_audio((*audio_)[i]);
  (*rec)->close();
  // Only the last second was held back.
  EXPECT_EQ((*rec)->stats().audio_packets, MkvRecorder::kMaxEarlyAudio);
  EXPECT_EQ((*rec)->stats().dropped, 75 - MkvRecorder::kMaxEarlyAudio);
  const test::Probed p = test::probe(file);
  ASSERT_EQ(p.audio.size(), 1u);
  EXPECT_EQ(p.audio[0].frames, 50);
  EXPECT_TRUE(p.video.empty());
}

TEST_F(MkvRecorderTest, MalformedInputIsDroppedAndCounted) {
  const std::string file = dir_.path("junk.mkv");
  auto rec = MkvRecorder::open(file, true, true);
  ASSERT_TRUE(rec.ok());
  EncodedFrame junk;
  junk.keyframe = true;
  junk.data = {0, 0, 1, 0x65, 1, 2, 3};  // an IDR slice without SPS/PPS
  (*rec)->write_video(junk);
  junk.data = {0, 0, 0, 1, 0x67};  // a truncated SPS alone
  (*rec)->write_video(junk);
  (*rec)->write_video(EncodedFrame{});
  EncodedFrame bad_opus;
  (*rec)->write_audio(bad_opus);
  bad_opus.data = {0x03};  // code 3 without its frame count byte
  (*rec)->write_audio(bad_opus);
  EXPECT_EQ((*rec)->stats().dropped, 5u);
  feed(**rec, true, true);
  (*rec)->close();
  EXPECT_EQ((*rec)->stats().video_frames, 90u);
  const test::Probed p = test::probe(file);
  ASSERT_EQ(p.video.size(), 1u);
  EXPECT_EQ(p.video[0].frames, 90);
}

TEST_F(MkvRecorderTest, OpenErrors) {
  auto bad = MkvRecorder::open(dir_.path("no/such/dir.mkv"), true, true);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(std::string(bad.error()), "recording '" + dir_.path("no/such/dir.mkv") + "': No such file or directory");
  EXPECT_FALSE(MkvRecorder::open(dir_.path("x.mkv"), false, false).ok());
}

}  // namespace
}  // namespace peercall
