#include "output/file/wav_writer.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <csignal>
#include <filesystem>
#include <thread>

#include "media/file/file_audio_source.hpp"
#include "test_media.hpp"

namespace peercall {
namespace {

constexpr size_t kFrameBytes = kAudioFrameSamples * 2;

AudioFrame tone_frame(int index) {
  AudioFrame f;
  f.samples.resize(kAudioFrameSamples);
  for (int s = 0; s < kAudioFrameSamples; ++s) {
    const double t = double(index * kAudioFrameSamples + s) / kAudioSampleRate;
    f.samples[size_t(s)] = int16_t(10000 * std::sin(2 * M_PI * 1000 * t));
  }
  return f;
}

uint32_t le32_at(const Bytes& b, size_t at) {
  return uint32_t(b[at]) | uint32_t(b[at + 1]) << 8 | uint32_t(b[at + 2]) << 16 | uint32_t(b[at + 3]) << 24;
}

class WavWriterTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { std::signal(SIGPIPE, SIG_IGN); }
  test::TempDir dir_;
};

TEST_F(WavWriterTest, ClosedFileIsValidAndExact) {
  const std::string file = dir_.path("out.wav");
  auto writer = WavWriter::open(file);
  ASSERT_TRUE(writer.ok()) << writer.error();
  for (int i = 0; i < 100; ++i) (*writer)->on_audio(tone_frame(i));
  (*writer)->close();
  EXPECT_EQ((*writer)->samples_written(), 100u * kAudioFrameSamples);

  const Bytes bytes = test::read_file(file);
  ASSERT_EQ(bytes.size(), WavWriter::kHeaderSize + 100 * kFrameBytes);
  EXPECT_EQ(le32_at(bytes, 4), bytes.size() - 8);
  EXPECT_EQ(le32_at(bytes, 40), 100 * kFrameBytes);
  const test::Probed p = test::probe(file);
  ASSERT_EQ(p.audio.size(), 1u);
  EXPECT_EQ(p.audio[0].codec_name, "pcm_s16le");
  EXPECT_EQ(p.audio[0].sample_rate, 48000);
  EXPECT_EQ(p.audio[0].channels, 1);
  EXPECT_NEAR(p.duration, 2.0, 0.001);

  // Read back sample for sample (48 kHz mono s16 in, 48 kHz mono s16 out).
  auto source = FileAudioSource::open({.path = file, .realtime = false});
  ASSERT_TRUE(source.ok()) << source.error();
  for (int i = 0; i < 100; ++i) {
    auto frame = (*source)->read();
    ASSERT_TRUE(frame) << i;
    ASSERT_EQ(frame->samples, tone_frame(i).samples) << i;
  }
  EXPECT_FALSE((*source)->read());
}

TEST_F(WavWriterTest, FileIsValidWithoutClose) {
  const std::string file = dir_.path("live.wav");
  auto writer = WavWriter::open(file);
  ASSERT_TRUE(writer.ok());
  // Fresh: a valid empty WAV.
  const Bytes empty = test::read_file(file);
  ASSERT_EQ(empty.size(), WavWriter::kHeaderSize);
  EXPECT_EQ(le32_at(empty, 4), 36u);
  EXPECT_EQ(le32_at(empty, 40), 0u);

  // 1.5 s in: the header was refreshed at 1 s, as if the process died now.
  for (int i = 0; i < 75; ++i) (*writer)->on_audio(tone_frame(i));
  const std::string copy = dir_.path("killed.wav");
  std::filesystem::copy_file(file, copy);
  const Bytes bytes = test::read_file(copy);
  ASSERT_EQ(bytes.size(), WavWriter::kHeaderSize + 75 * kFrameBytes);
  EXPECT_EQ(le32_at(bytes, 40), 50 * kFrameBytes);
  EXPECT_EQ(le32_at(bytes, 4), 36 + 50 * kFrameBytes);
  const test::Probed p = test::probe(copy);
  ASSERT_EQ(p.audio.size(), 1u);
  EXPECT_EQ(p.audio[0].sample_rate, 48000);
  EXPECT_NEAR(p.duration, 1.0, 0.001);
  (*writer)->close();
  const Bytes closed = test::read_file(file);
  ASSERT_EQ(closed.size(), WavWriter::kHeaderSize + 75 * kFrameBytes);
  EXPECT_EQ(le32_at(closed, 40), 75 * kFrameBytes);
}

TEST_F(WavWriterTest, PipeGetsAStreamingHeader) {
  test::StdioPipe stdout_pipe(STDOUT_FILENO);
  auto writer = WavWriter::open("-");
  stdout_pipe.restore();
  ASSERT_TRUE(writer.ok());
  Bytes received;
  std::thread reader([&] { received = test::read_all(stdout_pipe.our_end()); });
  for (int i = 0; i < 60; ++i) (*writer)->on_audio(tone_frame(i));
  (*writer)->close();
  reader.join();
  ASSERT_EQ(received.size(), WavWriter::kHeaderSize + 60 * kFrameBytes);
  EXPECT_EQ(std::string(received.begin(), received.begin() + 4), "RIFF");
  EXPECT_EQ(le32_at(received, 4), 0xFFFFFFFFu);
  EXPECT_EQ(le32_at(received, 40), 0xFFFFFFFFu);
  // What a consumer at the other end of the pipe sees: FFmpeg decodes it all.
  const std::string saved = dir_.path("piped.wav");
  FILE* f = fopen(saved.c_str(), "wb");
  ASSERT_TRUE(f);
  fwrite(received.data(), 1, received.size(), f);
  fclose(f);
  EXPECT_EQ(test::shell("ffmpeg -nostdin -v error -i - -f s16le - < '" + saved + "' | wc -c"),
            std::to_string(60 * kFrameBytes));
}

TEST_F(WavWriterTest, ReaderGoingAwayIsCountedNotFatal) {
  test::StdioPipe stdout_pipe(STDOUT_FILENO);
  auto writer = WavWriter::open("-");
  stdout_pipe.restore();
  ASSERT_TRUE(writer.ok());
  stdout_pipe.close_our_end();
  (*writer)->on_audio(tone_frame(0));
  (*writer)->on_audio(tone_frame(1));
  EXPECT_EQ((*writer)->frames_dropped(), 2u);
  EXPECT_NE((*writer)->error().find("the reader closed it"), std::string::npos) << (*writer)->error();
  (*writer)->close();
}

TEST_F(WavWriterTest, BadPathIsAnError) {
  auto bad = WavWriter::open(dir_.path("no/such/dir.wav"));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(std::string(bad.error()), "wav output '" + dir_.path("no/such/dir.wav") + "': No such file or directory");
}

}  // namespace
}  // namespace peercall
