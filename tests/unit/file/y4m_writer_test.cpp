#include "output/file/y4m_writer.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <csignal>
#include <thread>

#include "media/file/file_video_source.hpp"
#include "test_media.hpp"

namespace peercall {
namespace {

constexpr size_t kFrame160 = 160 * 120 * 3 / 2;

class Y4mWriterTest : public ::testing::Test {
 protected:
  // The app ignores SIGPIPE so a reader going away is an EPIPE, not a death.
  static void SetUpTestSuite() { std::signal(SIGPIPE, SIG_IGN); }
  test::TempDir dir_;
};

TEST_F(Y4mWriterTest, FileIsReadBackByFfprobeAndFileVideoSource) {
  const std::string file = dir_.path("out.y4m");
  auto writer = Y4mWriter::open(file, 30);
  ASSERT_TRUE(writer.ok()) << writer.error();
  for (uint64_t i = 0; i < 30; ++i) (*writer)->on_video(test::pattern_frame(160, 120, i));
  (*writer)->close();
  EXPECT_EQ((*writer)->frames_written(), 30u);
  EXPECT_EQ((*writer)->frames_dropped(), 0u);

  const test::Probed p = test::probe(file);
  ASSERT_EQ(p.video.size(), 1u);
  EXPECT_EQ(p.video[0].width, 160);
  EXPECT_EQ(p.video[0].height, 120);
  EXPECT_EQ(p.video[0].frames, 30);
  EXPECT_EQ(p.video[0].frame_rate, "30/1");

  auto source = FileVideoSource::open({.path = file, .realtime = false});
  ASSERT_TRUE(source.ok()) << source.error();
  for (uint64_t i = 0; i < 30; ++i) {
    auto frame = (*source)->read();
    ASSERT_TRUE(frame) << i;
    EXPECT_EQ(*frame->i420, *test::pattern_frame(160, 120, i).i420) << i;
  }
  EXPECT_FALSE((*source)->read());
}

TEST_F(Y4mWriterTest, SizeChangesAreScaledToTheFirstSize) {
  const std::string file = dir_.path("resized.y4m");
  auto writer = Y4mWriter::open(file, 25);
  ASSERT_TRUE(writer.ok());
  for (uint64_t i = 0; i < 10; ++i) (*writer)->on_video(test::pattern_frame(160, 120, i));
  for (uint64_t i = 0; i < 10; ++i) (*writer)->on_video(test::pattern_frame(320, 240, i));
  (*writer)->close();
  EXPECT_EQ((*writer)->frames_written(), 20u);
  const std::string header = "YUV4MPEG2 W160 H120 F25:1 Ip A1:1 C420jpeg\n";
  EXPECT_EQ(test::read_file(file).size(), header.size() + 20 * (6 + kFrame160));
  const test::Probed p = test::probe(file);
  ASSERT_EQ(p.video.size(), 1u);
  EXPECT_EQ(p.video[0].width, 160);
  EXPECT_EQ(p.video[0].height, 120);
  EXPECT_EQ(p.video[0].frames, 20);
}

TEST_F(Y4mWriterTest, DashWritesToStdout) {
  test::StdioPipe stdout_pipe(STDOUT_FILENO);
  auto writer = Y4mWriter::open("-", 30);
  stdout_pipe.restore();  // the writer holds its own copy of the pipe
  ASSERT_TRUE(writer.ok());
  Bytes received;
  std::thread reader([&] { received = test::read_all(stdout_pipe.our_end()); });
  for (uint64_t i = 0; i < 5; ++i) (*writer)->on_video(test::pattern_frame(160, 120, i));
  (*writer)->close();  // EOF for the reader
  reader.join();
  const std::string header = "YUV4MPEG2 W160 H120 F30:1 Ip A1:1 C420jpeg\nFRAME\n";
  ASSERT_GE(received.size(), header.size());
  EXPECT_EQ(std::string(received.begin(), received.begin() + long(header.size())), header);
  EXPECT_EQ(received.size(), header.size() - 6 + 5 * (6 + kFrame160));
}

TEST_F(Y4mWriterTest, ReaderGoingAwayIsCountedNotFatal) {
  test::StdioPipe stdout_pipe(STDOUT_FILENO);
  auto writer = Y4mWriter::open("-", 30, 2);
  stdout_pipe.restore();
  ASSERT_TRUE(writer.ok());
  // Frames far bigger than the pipe: the writer thread blocks on the first
  // one, the queue of 2 overflows, and on_video() still returns at once.
  for (uint64_t i = 0; i < 100; ++i) (*writer)->on_video(test::pattern_frame(640, 480, i));
  EXPECT_GE((*writer)->frames_dropped(), 90u);
  stdout_pipe.close_our_end();  // the reader goes away: EPIPE
  (*writer)->close();
  EXPECT_EQ((*writer)->frames_written(), 0u);
  EXPECT_EQ((*writer)->frames_dropped(), 100u);
  EXPECT_NE((*writer)->error().find("the reader closed it"), std::string::npos) << (*writer)->error();
  (*writer)->on_video(test::pattern_frame(160, 120, 0));  // after close: counted, harmless
  EXPECT_EQ((*writer)->frames_dropped(), 101u);
}

TEST_F(Y4mWriterTest, MalformedFramesAreDropped) {
  const std::string file = dir_.path("bad.y4m");
  auto writer = Y4mWriter::open(file, 30);
  ASSERT_TRUE(writer.ok());
  VideoFrame odd = test::pattern_frame(160, 120, 0);
  odd.width = 161;
  VideoFrame short_buffer = test::pattern_frame(160, 120, 0);
  short_buffer.height = 240;
  (*writer)->on_video(VideoFrame{});
  (*writer)->on_video(odd);
  (*writer)->on_video(short_buffer);
  (*writer)->on_video(test::pattern_frame(160, 120, 1));
  (*writer)->close();
  EXPECT_EQ((*writer)->frames_dropped(), 3u);
  EXPECT_EQ((*writer)->frames_written(), 1u);
}

TEST_F(Y4mWriterTest, BadPathOrRateIsAnError) {
  auto bad = Y4mWriter::open(dir_.path("no/such/dir.y4m"), 30);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(std::string(bad.error()), "y4m output '" + dir_.path("no/such/dir.y4m") + "': No such file or directory");
  EXPECT_FALSE(Y4mWriter::open(dir_.path("x.y4m"), -1).ok());
  EXPECT_TRUE(Y4mWriter::open(dir_.path("x.y4m"), 0).ok());  // 0: unknown, measured (fallback 30)
}

VideoFrame frame_at(int w, int h, uint64_t i, int64_t us) {
  VideoFrame f = test::pattern_frame(w, h, i);
  f.capture_time = instant_from_micros(1'000'000'000 + us);
  return f;
}

std::string header_of(const std::string& file) {
  const Bytes bytes = test::read_file(file);
  const std::string all(bytes.begin(), bytes.end());
  return all.substr(0, all.find('\n') + 1);
}

TEST_F(Y4mWriterTest, RateIsWhatIsReceivedNotTheFallback) {
  struct Case {
    double interval_us;
    const char* expected;
  };
  // 25 fps written with the --fps 30 fallback; NTSC rates as whole ones; an uncommon 17.
  for (const Case c : {Case{40'000, "F25:1"}, Case{1'001'000.0 / 30, "F30:1"}, Case{1'001'000.0 / 24, "F24:1"},
                       Case{1e6 / 60, "F60:1"}, Case{1e6 / 17, "F17:1"}}) {
    const std::string file = dir_.path("rate.y4m");
    auto writer = Y4mWriter::open(file, 30);
    ASSERT_TRUE(writer.ok());
    for (uint64_t i = 0; i < 10; ++i) (*writer)->on_video(frame_at(160, 120, i, int64_t(double(i) * c.interval_us)));
    (*writer)->close();
    EXPECT_EQ((*writer)->frames_written(), 10u);
    EXPECT_EQ(header_of(file), std::string("YUV4MPEG2 W160 H120 ") + c.expected + " Ip A1:1 C420jpeg\n");
  }
}

TEST_F(Y4mWriterTest, RateSurvivesJitterAndALostFrame) {
  // 25 fps capture times with 3 ms of jitter and frame 2 lost on the way.
  const std::vector<int64_t> times = {0, 40'000 + 3000, 120'000 - 2000, 160'000 + 1000, 200'000};
  EXPECT_EQ(estimate_frame_rate(times, {30, 1}), (FrameRate{25, 1}));
  // Five frames at 25 fps, the last captured 12 ms early (a late wake-up
  // before it): the span says 27 fps, the median interval 25.
  EXPECT_EQ(estimate_frame_rate({0, 40'000, 80'000, 120'000, 148'000}, {30, 1}), (FrameRate{25, 1}));
  EXPECT_EQ(estimate_frame_rate({}, {30, 1}), (FrameRate{30, 1}));
  EXPECT_EQ(estimate_frame_rate({5, 5, 5}, {12, 1}), (FrameRate{12, 1}));
  EXPECT_EQ(estimate_frame_rate({0, 66'667, 133'333}, {30, 1}), (FrameRate{15, 1}));
}

TEST_F(Y4mWriterTest, FewerFramesThanTheRateNeedsStillMakeAFile) {
  const std::string file = dir_.path("two.y4m");
  auto writer = Y4mWriter::open(file, 30);
  ASSERT_TRUE(writer.ok());
  (*writer)->on_video(frame_at(160, 120, 0, 0));
  (*writer)->on_video(frame_at(160, 120, 1, 20'000));
  (*writer)->close();
  EXPECT_EQ(header_of(file), "YUV4MPEG2 W160 H120 F50:1 Ip A1:1 C420jpeg\n");
  EXPECT_EQ(test::probe(file).video.at(0).frames, 2);
}

TEST_F(Y4mWriterTest, ADifferentAspectLaterIsFittedWithBorders) {
  const std::string file = dir_.path("fit.y4m");
  auto writer = Y4mWriter::open(file, 30);
  ASSERT_TRUE(writer.ok());
  for (uint64_t i = 0; i < 4; ++i) (*writer)->on_video(test::pattern_frame(320, 180, i));  // 16:9
  (*writer)->on_video(test::pattern_frame(120, 160, 9));                                   // portrait
  (*writer)->close();
  ASSERT_EQ((*writer)->frames_written(), 5u);
  const Bytes bytes = test::read_file(file);
  const std::string all(bytes.begin(), bytes.end());
  const size_t frame_bytes = 6 + 320 * 180 * 3 / 2;
  const size_t last = all.size() - frame_bytes + 6;  // the portrait frame's Y plane
  // 120x160 into 320x180: 134x180 in the middle, black pillars either side.
  EXPECT_EQ(uint8_t(all[last + 0]), 16);
  EXPECT_EQ(uint8_t(all[last + 90]), 16);
  EXPECT_EQ(uint8_t(all[last + 319]), 16);
  EXPECT_EQ(uint8_t(all[last + 179 * 320 + 319]), 16);
  EXPECT_NE(uint8_t(all[last + 90 * 320 + 160]), 16);
}

}  // namespace
}  // namespace peercall
