#include "media/file/file_audio_source.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>

#include "test_media.hpp"

namespace peercall {
namespace {

class FileAudioSourceTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new test::TempDir();
    // One ffmpeg run: 1 s of a 1 kHz tone at 44.1 kHz stereo as wav, as mp3 and
    // in an mp4 with video; and a y4m without sound.
    const std::string stereo = " -map 0:a -ac 2 ";
    ASSERT_TRUE(test::ffmpeg(
        "-f lavfi -i sine=frequency=1000:sample_rate=44100:duration=1 -f lavfi -i testsrc2=size=160x120:rate=30:duration=1" +
        stereo + path("tone.wav") + stereo + "-c:a libmp3lame " + path("tone.mp3") + stereo +
        "-map 1:v -t 1 -c:v libx264 -preset ultrafast -c:a aac " + path("clip.mp4") + " -map 1:v -frames:v 5 " +
        path("clip.y4m")));
  }
  static void TearDownTestSuite() { delete dir_; }
  static std::string path(const std::string& name) { return dir_->path(name); }

  static std::vector<AudioFrame> read_all(const FileAudioSourceConfig& config, size_t limit = 1000) {
    std::vector<AudioFrame> frames;
    auto source = FileAudioSource::open(config);
    EXPECT_TRUE(source.ok()) << source.error();
    if (!source) return frames;
    while (frames.size() < limit) {
      auto f = (*source)->read();
      if (!f) break;
      frames.push_back(std::move(*f));
    }
    EXPECT_EQ((*source)->error(), "");
    return frames;
  }
  // Joins frames [first, last) into one signal.
  static std::vector<int16_t> join(const std::vector<AudioFrame>& frames, size_t first, size_t last) {
    std::vector<int16_t> out;
    for (size_t i = first; i < last && i < frames.size(); ++i) {
      out.insert(out.end(), frames[i].samples.begin(), frames[i].samples.end());
    }
    return out;
  }
  // A 1 kHz tone crosses zero 2000 times a second: 40 times per 20 ms frame.
  static void expect_1khz(const std::vector<AudioFrame>& frames, size_t first, size_t last) {
    const auto signal = join(frames, first, last);
    const int expected = int(last - first) * 40;
    EXPECT_NEAR(test::zero_crossings(signal), expected, expected / 50);
    const auto [lo, hi] = std::minmax_element(signal.begin(), signal.end());
    EXPECT_GT(*hi, 2000);  // not silence
    EXPECT_LT(*lo, -2000);
  }

  static test::TempDir* dir_;
};
test::TempDir* FileAudioSourceTest::dir_ = nullptr;

TEST_F(FileAudioSourceTest, ResamplesStereo44kWavTo48kMonoFrames) {
  const auto frames = read_all({.path = path("tone.wav"), .realtime = false});
  EXPECT_NEAR(double(frames.size()), 50, 1);  // 1 s in 20 ms frames
  for (const auto& f : frames) ASSERT_EQ(f.samples.size(), size_t(kAudioFrameSamples));
  expect_1khz(frames, 5, 45);
}

TEST_F(FileAudioSourceTest, DecodesMp3) {
  const auto frames = read_all({.path = path("tone.mp3"), .realtime = false});
  EXPECT_NEAR(double(frames.size()), 50, 2);  // mp3 pads by up to a frame
  expect_1khz(frames, 5, 45);
}

TEST_F(FileAudioSourceTest, TakesTheSoundTrackOfAVideo) {
  const auto frames = read_all({.path = path("clip.mp4"), .realtime = false});
  EXPECT_NEAR(double(frames.size()), 50, 2);
  expect_1khz(frames, 5, 45);
}

TEST_F(FileAudioSourceTest, LoopIsGaplessAndEndless) {
  const auto frames = read_all({.path = path("tone.wav"), .loop = true, .realtime = false}, 120);
  ASSERT_EQ(frames.size(), 120u);
  // Across both loop points, still the tone (a seam costs at most a crossing or two).
  expect_1khz(frames, 40, 110);
}

TEST_F(FileAudioSourceTest, PacedInRealTime) {
  const Instant start = Clock::now();
  const auto frames = read_all({.path = path("tone.wav")}, 10);
  ASSERT_EQ(frames.size(), 10u);
  EXPECT_GE(Clock::now() - start, milliseconds(150));  // frame 9 is due at 180 ms; lower bound only
}

TEST_F(FileAudioSourceTest, BadInputsGiveOneLineReasons) {
  auto missing = FileAudioSource::open({.path = path("missing.wav")});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(std::string(missing.error()), "audio file '" + path("missing.wav") + "': No such file or directory");
  auto silent = FileAudioSource::open({.path = path("clip.y4m")});
  ASSERT_FALSE(silent.ok());
  EXPECT_EQ(std::string(silent.error()), "audio file '" + path("clip.y4m") + "': no audio stream");
}

}  // namespace
}  // namespace peercall
