#include "media/file/file_video_source.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <future>

#include <algorithm>
#include <fstream>
#include <thread>

#include "media/file/realtime_pacer.hpp"
#include "test_media.hpp"

namespace peercall {
namespace {

class FileVideoSourceTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new test::TempDir();
    // One ffmpeg run: 1 s of 320x240 video with a sound track (which must be
    // ignored), half a second of sound alone, and a 10-frame 160x120 y4m at 50 fps.
    ASSERT_TRUE(test::ffmpeg(
        "-f lavfi -i testsrc2=size=320x240:rate=30:duration=1 -f lavfi -i sine=frequency=1000:duration=1 "
        "-f lavfi -i testsrc2=size=160x120:rate=50:duration=0.2 "
        "-map 0:v -map 1:a -t 1 -pix_fmt yuv420p -c:v libx264 -preset ultrafast -c:a aac " + path("clip.mp4") +
        " -map 1:a -t 0.5 " + path("tone.wav") + " -map 2:v -frames:v 10 " + path("clip.y4m")));
    std::ofstream(path("notes.txt")) << "this is not a video\n";
  }
  static void TearDownTestSuite() { delete dir_; }
  static std::string path(const std::string& name) { return dir_->path(name); }

  static std::vector<VideoFrame> read_all(FileVideoSource& source, size_t limit = 1000) {
    std::vector<VideoFrame> frames;
    while (frames.size() < limit) {
      auto f = source.read();
      if (!f) break;
      frames.push_back(std::move(*f));
    }
    return frames;
  }
  static std::unique_ptr<FileVideoSource> open(FileVideoSourceConfig config) {
    auto source = FileVideoSource::open(config);
    EXPECT_TRUE(source.ok()) << source.error();
    return source ? std::move(*source) : nullptr;
  }

  static test::TempDir* dir_;
};
test::TempDir* FileVideoSourceTest::dir_ = nullptr;

TEST_F(FileVideoSourceTest, ReadsEveryFrameOfAnMp4AtItsOwnSize) {
  auto source = open({.path = path("clip.mp4"), .realtime = false});
  ASSERT_TRUE(source);
  EXPECT_EQ(source->width(), 320);
  EXPECT_EQ(source->height(), 240);
  EXPECT_NE(source->describe().find("h264 320x240"), std::string::npos) << source->describe();
  const auto frames = read_all(*source);
  ASSERT_EQ(frames.size(), 30u);
  for (size_t i = 0; i < frames.size(); ++i) {
    EXPECT_EQ(frames[i].width, 320);
    EXPECT_EQ(frames[i].height, 240);
    EXPECT_EQ(frames[i].i420->size(), VideoFrame::buffer_size(320, 240));
    EXPECT_EQ(frames[i].index, i);
  }
  EXPECT_EQ(source->error(), "");  // a clean end
  EXPECT_FALSE(source->read());
}

TEST_F(FileVideoSourceTest, Y4mFramesAreTheFilesPixelsExactly) {
  auto source = open({.path = path("clip.y4m"), .realtime = false});
  ASSERT_TRUE(source);
  const auto frames = read_all(*source);
  ASSERT_EQ(frames.size(), 10u);
  // The file: a header line, then "FRAME\n" and the I420 bytes of each frame.
  const Bytes y4m = test::read_file(path("clip.y4m"));
  const size_t header = size_t(std::find(y4m.begin(), y4m.end(), '\n') - y4m.begin()) + 1;
  const size_t frame_size = VideoFrame::buffer_size(160, 120);
  ASSERT_EQ(y4m.size(), header + 10 * (6 + frame_size));
  for (size_t i = 0; i < frames.size(); ++i) {
    const auto pixels = y4m.begin() + long(header + i * (6 + frame_size) + 6);
    ASSERT_TRUE(std::equal(frames[i].i420->begin(), frames[i].i420->end(), pixels)) << "frame " << i;
  }
}

TEST_F(FileVideoSourceTest, ScalesToTheRequestedEvenSize) {
  auto source = open({.path = path("clip.mp4"), .width = 161, .height = 91, .realtime = false});
  ASSERT_TRUE(source);
  auto frame = source->read();
  ASSERT_TRUE(frame);
  EXPECT_EQ(frame->width, 160);
  EXPECT_EQ(frame->height, 90);
  EXPECT_EQ(frame->i420->size(), VideoFrame::buffer_size(160, 90));
  // The scaled testsrc2 picture is not flat: scaling really happened.
  const auto [lo, hi] = std::minmax_element(frame->y(), frame->y() + 160 * 90);
  EXPECT_GT(*hi - *lo, 100);
}

TEST_F(FileVideoSourceTest, OneDimensionKeepsTheAspectRatio) {
  auto source = open({.path = path("clip.mp4"), .width = 160, .realtime = false});
  ASSERT_TRUE(source);
  EXPECT_EQ(source->width(), 160);
  EXPECT_EQ(source->height(), 120);
}

TEST_F(FileVideoSourceTest, LoopKeepsGoingPastTheEnd) {
  auto source = open({.path = path("clip.y4m"), .loop = true, .realtime = false});
  ASSERT_TRUE(source);
  const auto frames = read_all(*source, 25);
  ASSERT_EQ(frames.size(), 25u);
  // Frame 12 is the file's frame 2 again.
  EXPECT_EQ(*frames[12].i420, *frames[2].i420);
  EXPECT_NE(*frames[12].i420, *frames[3].i420);
  EXPECT_EQ(frames[24].index, 24u);
}

TEST_F(FileVideoSourceTest, PacesInRealTimeAcrossLoops) {
  auto source = open({.path = path("clip.y4m"), .loop = true});
  ASSERT_TRUE(source);
  const Instant start = Clock::now();
  const auto frames = read_all(*source, 15);
  ASSERT_EQ(frames.size(), 15u);
  // Frame 14 is due 280 ms after frame 0. Only a lower bound: a busy machine
  // can only make it slower. Were the loop to restart the clock, it would be 180 ms.
  EXPECT_GE(Clock::now() - start, milliseconds(250));
  for (size_t i = 1; i < frames.size(); ++i) EXPECT_GE(frames[i].capture_time, frames[i - 1].capture_time);
}

TEST_F(FileVideoSourceTest, FramesAreStampedWithTheirScheduleNotTheWakeUp) {
  // A reader that wakes late (a loaded machine) must not pass its lateness on:
  // the receiver measures the file's rate from these stamps. 50 fps = 20 ms.
  auto source = open({.path = path("clip.y4m"), .loop = true});
  ASSERT_TRUE(source);
  const auto frames = read_all(*source, 12);
  ASSERT_EQ(frames.size(), 12u);
  for (size_t i = 1; i < frames.size(); ++i)
    EXPECT_EQ(frames[i].capture_time - frames[i - 1].capture_time, milliseconds(20)) << "frame " << i;
}

TEST_F(FileVideoSourceTest, PacerReturnsTheDueInstantEvenWhenCalledLate) {
  RealtimePacer pacer;
  const std::optional<Instant> start = pacer.wait(Duration::zero());
  ASSERT_TRUE(start);
  const Instant called = Clock::now();
  std::this_thread::sleep_until(called + milliseconds(15));  // late for 5 ms: within kMaxLateness
  EXPECT_EQ(pacer.wait(milliseconds(10)), *start + milliseconds(10));
}

TEST_F(FileVideoSourceTest, InterruptWakesABlockedRead) {
  auto source = open({.path = path("clip.mp4"), .loop = true});
  ASSERT_TRUE(source);
  std::atomic<int> frames{0};
  std::thread reader([&] {
    while (source->read()) ++frames;
  });
  while (frames == 0) std::this_thread::sleep_for(milliseconds(5));
  source->interrupt();
  reader.join();  // hangs (test timeout) if interrupt() did not wake it
  EXPECT_FALSE(source->read());
}

TEST_F(FileVideoSourceTest, PacerInterruptReturnsFalse) {
  RealtimePacer pacer;
  EXPECT_TRUE(pacer.wait(Duration::zero()));
  std::thread waker([&] {
    std::this_thread::sleep_for(milliseconds(20));
    pacer.interrupt();
  });
  EXPECT_FALSE(pacer.wait(seconds(3600)));
  waker.join();
  EXPECT_FALSE(pacer.wait(Duration::zero()));
}

// Opens "-" with `data` arriving on stdin from another thread that then closes
// the pipe, and reads every frame. Frames read, or -1 if open() failed.
int frames_from_stdin(ByteView data) {
  test::StdioPipe stdin_pipe(STDIN_FILENO);
  std::thread feeder([&] {
    test::write_all(stdin_pipe.our_end(), data);
    stdin_pipe.close_our_end();
  });
  auto source = FileVideoSource::open({.path = "-", .realtime = false});
  int frames = -1;
  if (source) {
    for (frames = 0; (*source)->read(); ++frames) {
    }
  }
  feeder.join();
  stdin_pipe.restore();
  return frames;
}

TEST_F(FileVideoSourceTest, DashReadsY4mFromStdin) {
  EXPECT_EQ(frames_from_stdin(test::read_file(path("clip.y4m"))), 10);
}

TEST_F(FileVideoSourceTest, TruncatedPipeEndsInsteadOfHanging) {
  // The header and 3.5 frames, then the writer goes away.
  const Bytes y4m = test::read_file(path("clip.y4m"));
  EXPECT_EQ(frames_from_stdin(ByteView(y4m).first(y4m.size() * 35 / 100)), 3);
}

TEST_F(FileVideoSourceTest, GarbageOnStdinIsAnError) {
  EXPECT_EQ(frames_from_stdin(ByteView(reinterpret_cast<const uint8_t*>("hello\n"), 6)), -1);
  test::StdioPipe stdin_pipe(STDIN_FILENO);
  stdin_pipe.close_our_end();  // and an empty pipe
  auto source = FileVideoSource::open({.path = "-"});
  stdin_pipe.restore();
  ASSERT_FALSE(source.ok());
  EXPECT_EQ(source.error().rfind("video file '-': ", 0), 0u) << source.error();
}

TEST_F(FileVideoSourceTest, BadInputsGiveOneLineReasons) {
  auto missing = FileVideoSource::open({.path = path("missing.mp4")});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(std::string(missing.error()), "video file '" + path("missing.mp4") + "': No such file or directory");

  auto audio_only = FileVideoSource::open({.path = path("tone.wav")});
  ASSERT_FALSE(audio_only.ok());
  EXPECT_EQ(std::string(audio_only.error()), "video file '" + path("tone.wav") + "': no video stream");

  auto text = FileVideoSource::open({.path = path("notes.txt")});
  ASSERT_FALSE(text.ok());
  EXPECT_EQ(std::string(text.error()).rfind("video file '" + path("notes.txt") + "': ", 0), 0u) << text.error();

  auto directory = FileVideoSource::open({.path = path("")});
  ASSERT_FALSE(directory.ok());
  EXPECT_NE(std::string(directory.error()).find("is a directory"), std::string::npos) << directory.error();

  auto empty = FileVideoSource::open({.path = ""});
  EXPECT_FALSE(empty.ok());
}

TEST_F(FileVideoSourceTest, FollowsASizeChangeMidFile) {
  // Two clips of different size and aspect, concatenated as MPEG-TS (which
  // allows it): the pictures change size with the clip, undistorted.
  ASSERT_TRUE(test::ffmpeg("-f lavfi -i testsrc2=size=320x240:rate=25:duration=0.4 -c:v libx264 -preset ultrafast "
                           "-pix_fmt yuv420p " + path("a.ts")));
  ASSERT_TRUE(test::ffmpeg("-f lavfi -i testsrc2=size=256x144:rate=25:duration=0.4 -c:v libx264 -preset ultrafast "
                           "-pix_fmt yuv420p " + path("b.ts")));
  {
    std::ofstream out(path("ab.ts"), std::ios::binary);
    for (const char* part : {"a.ts", "b.ts"}) {
      const Bytes bytes = test::read_file(path(part));
      out.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
    }
  }
  auto source = open({.path = path("ab.ts"), .realtime = false});
  ASSERT_TRUE(source);
  EXPECT_DOUBLE_EQ(source->frame_rate(), 25.0);
  const auto frames = read_all(*source);
  ASSERT_EQ(frames.size(), 20u);
  EXPECT_EQ(frames.front().width, 320);
  EXPECT_EQ(frames.front().height, 240);
  EXPECT_EQ(frames.back().width, 256);
  EXPECT_EQ(frames.back().height, 144);
  EXPECT_EQ(source->width(), 256);
}

TEST_F(FileVideoSourceTest, OddSizesRoundDownToEven) {
  ASSERT_TRUE(test::ffmpeg("-f lavfi -i testsrc2=size=161x91:rate=30:duration=0.1 -pix_fmt yuv420p " +
                           path("odd.y4m")));
  auto source = open({.path = path("odd.y4m"), .realtime = false});
  ASSERT_TRUE(source);
  auto frame = source->read();
  ASSERT_TRUE(frame);
  EXPECT_EQ(frame->width, 160);
  EXPECT_EQ(frame->height, 90);
}

TEST_F(FileVideoSourceTest, PipesFifosAndStreamsAreLive) {
  EXPECT_TRUE(is_live_input("-"));
  EXPECT_TRUE(is_live_input("udp://127.0.0.1:1234"));
  EXPECT_TRUE(is_live_input("rtsp://camera/stream"));
  EXPECT_FALSE(is_live_input("https://example.org/clip.mp4"));  // a download: paced by its timestamps
  EXPECT_FALSE(is_live_input(path("clip.mp4")));
  EXPECT_FALSE(is_live_input(path("missing.mp4")));
  ASSERT_EQ(::mkfifo(path("live.fifo").c_str(), 0600), 0);
  EXPECT_TRUE(is_live_input(path("live.fifo")));
  EXPECT_TRUE(is_live_input("/dev/null"));  // a character device
}

TEST_F(FileVideoSourceTest, LiveFifoHandsEachFrameOnAsItArrives) {
  // A y4m FIFO written frame by frame: open() needs only the header and the
  // first frame (no probing ahead), and each read() returns as soon as its
  // frame is written, stamped with that moment (no pacing on top).
  const std::string fifo = path("frames.fifo");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const Bytes y4m = test::read_file(path("clip.y4m"));  // 10 frames of 160x120 at 50 fps
  const std::string text(y4m.begin(), y4m.end());
  const size_t header = text.find('\n') + 1;
  const size_t frame = 6 + 160 * 120 * 3 / 2;
  std::promise<void> opened, frame_read;
  std::future<void> opened_f = opened.get_future(), frame_read_f = frame_read.get_future();
  std::vector<Instant> written;
  std::thread writer([&] {
    const int fd = ::open(fifo.c_str(), O_WRONLY);
    ASSERT_GE(fd, 0);
    auto put = [&](size_t from, size_t n) { test::write_all(fd, ByteView(y4m).subspan(from, n)); };
    put(0, header + frame);
    written.push_back(Clock::now());
    // Nothing more until the reader has opened and read frame 0: a probe
    // that wanted more data would hang here (the test times out).
    opened_f.wait();
    frame_read_f.wait();
    for (size_t i = 1; i < 3; ++i) {
      std::this_thread::sleep_for(milliseconds(150));  // slower than the file's 50 fps on purpose
      written.push_back(Clock::now());
      put(header + i * frame, frame);
    }
    ::close(fd);
  });
  auto source = open({.path = fifo, .live = true});
  opened.set_value();
  ASSERT_TRUE(source);
  std::vector<VideoFrame> frames;
  auto first = source->read();
  frame_read.set_value();
  ASSERT_TRUE(first);
  frames.push_back(std::move(*first));
  while (auto f = source->read()) frames.push_back(std::move(*f));
  writer.join();
  ASSERT_EQ(frames.size(), 3u);
  EXPECT_EQ(*frames[1].i420, std::vector<uint8_t>(y4m.begin() + long(header + frame + 6),
                                                  y4m.begin() + long(header + 2 * frame)));
  for (size_t i = 1; i < 3; ++i) {
    // Read right after it was written (not paced to 20 ms after the previous one).
    EXPECT_GE(frames[i].capture_time, written[i]);
    EXPECT_LT(frames[i].capture_time - written[i], milliseconds(100)) << i;
  }
}

}  // namespace
}  // namespace peercall
