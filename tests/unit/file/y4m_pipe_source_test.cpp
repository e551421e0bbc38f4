#include "media/file/y4m_pipe_source.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <fstream>
#include <future>
#include <thread>

#include "test_media.hpp"

namespace peercall {
namespace {

// A pipe whose write end another thread feeds with `data`, then closes (unless
// told to keep it open). The read end is what the source reads.
class PipeFeed {
 public:
  explicit PipeFeed(Bytes data, bool keep_open = false) {
    int fds[2];
    EXPECT_EQ(::pipe2(fds, O_CLOEXEC), 0);
    read_fd_ = fds[0];
    write_fd_ = fds[1];
    writer_ = std::thread([this, data = std::move(data), keep_open] {
      test::write_all(write_fd_, data);
      if (!keep_open) close_write();
      written_.set_value();
    });
  }
  ~PipeFeed() {
    // The reader first: a writer still blocked on a full pipe gets EPIPE.
    ::close(read_fd_);
    writer_.join();
    close_write();
  }
  int fd() const { return read_fd_; }
  int write_fd() const { return write_fd_; }
  // Bounded: true once everything was written.
  bool wait_written() { return done_.wait_for(seconds(10)) == std::future_status::ready; }

 private:
  void close_write() {
    if (write_fd_ >= 0) ::close(write_fd_);
    write_fd_ = -1;
  }
  int read_fd_ = -1;
  int write_fd_ = -1;
  std::promise<void> written_;
  std::future<void> done_ = written_.get_future();
  std::thread writer_;
};

Bytes as_bytes(const std::string& s) { return Bytes(s.begin(), s.end()); }

// A y4m stream: `header` (the tokens after YUV4MPEG2), then each picture after
// a FRAME line.
Bytes y4m(const std::string& tokens, const std::vector<Bytes>& pictures, const std::string& frame_line = "FRAME") {
  Bytes out = as_bytes("YUV4MPEG2 " + tokens + "\n");
  for (const Bytes& p : pictures) {
    const Bytes line = as_bytes(frame_line + "\n");
    out.insert(out.end(), line.begin(), line.end());
    out.insert(out.end(), p.begin(), p.end());
  }
  return out;
}

// Planes of one value each: sizes in bytes.
Bytes planes(std::initializer_list<std::pair<size_t, uint8_t>> parts) {
  Bytes out;
  for (auto [n, v] : parts) out.insert(out.end(), n, v);
  return out;
}

class Y4mPipeSourceTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::signal(SIGPIPE, SIG_IGN);  // PipeFeed's writer, when a test stops reading early
    dir_ = new test::TempDir();
    // 10 frames of 160x120 at 50 fps, as ffmpeg writes y4m (C420jpeg).
    ASSERT_TRUE(test::ffmpeg("-f lavfi -i testsrc2=size=160x120:rate=50 -frames:v 10 -pix_fmt yuv420p " +
                             path("clip.y4m")));
  }
  static void TearDownTestSuite() { delete dir_; }
  static std::string path(const std::string& name) { return dir_->path(name); }

  static std::unique_ptr<Y4mPipeSource> open(int fd) {
    auto source = Y4mPipeSource::open({.fd = fd});
    EXPECT_TRUE(source.ok()) << source.error();
    return source ? std::move(*source) : nullptr;
  }
  static std::string open_error(const Bytes& data) {
    PipeFeed feed(data);
    auto source = Y4mPipeSource::open({.fd = feed.fd()});
    return source ? "(opened)" : source.error();
  }
  static std::vector<VideoFrame> read_all(VideoSource& source) {
    std::vector<VideoFrame> frames;
    while (auto f = source.read()) frames.push_back(std::move(*f));
    return frames;
  }

  static test::TempDir* dir_;
};
test::TempDir* Y4mPipeSourceTest::dir_ = nullptr;

TEST_F(Y4mPipeSourceTest, Yuv420FramesAreTheStreamsBytesExactly) {
  const Bytes file = test::read_file(path("clip.y4m"));
  PipeFeed feed(file);
  auto source = open(feed.fd());
  ASSERT_TRUE(source);
  EXPECT_TRUE(source->reads_in_place());
  EXPECT_EQ(source->width(), 160);
  EXPECT_EQ(source->height(), 120);
  EXPECT_DOUBLE_EQ(source->frame_rate(), 50.0);
  EXPECT_EQ(source->describe(), "video y4m pipe - (160x120, 50 fps, live)");
  const Instant before = Clock::now();
  const auto frames = read_all(*source);
  EXPECT_EQ(source->error(), "");  // a clean end at a frame boundary
  EXPECT_FALSE(source->read());
  ASSERT_EQ(frames.size(), 10u);
  const size_t header = size_t(std::find(file.begin(), file.end(), '\n') - file.begin()) + 1;
  const size_t frame_size = VideoFrame::buffer_size(160, 120);
  ASSERT_EQ(file.size(), header + 10 * (6 + frame_size));
  for (size_t i = 0; i < frames.size(); ++i) {
    EXPECT_EQ(frames[i].index, i);
    EXPECT_EQ(frames[i].width, 160);
    EXPECT_EQ(frames[i].height, 120);
    ASSERT_EQ(frames[i].i420->size(), frame_size);
    const auto pixels = file.begin() + long(header + i * (6 + frame_size) + 6);
    EXPECT_TRUE(std::equal(frames[i].i420->begin(), frames[i].i420->end(), pixels)) << "frame " << i;
    EXPECT_GE(frames[i].capture_time, i ? frames[i - 1].capture_time : before);  // stamped on arrival
  }
}

TEST_F(Y4mPipeSourceTest, DashIsStdin) {
  test::StdioPipe stdin_pipe(STDIN_FILENO);
  std::thread feeder([&] {
    test::write_all(stdin_pipe.our_end(), test::read_file(path("clip.y4m")));
    stdin_pipe.close_our_end();
  });
  auto source = Y4mPipeSource::open({});
  size_t frames = 0;
  if (source) frames = read_all(**source).size();
  feeder.join();
  stdin_pipe.restore();
  ASSERT_TRUE(source.ok()) << source.error();
  EXPECT_EQ(frames, 10u);
}

TEST_F(Y4mPipeSourceTest, ReadsAFifoByPath) {
  const std::string fifo = path("frames.y4m");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  std::thread writer([&] {
    const int fd = ::open(fifo.c_str(), O_WRONLY | O_CLOEXEC);
    ASSERT_GE(fd, 0);
    test::write_all(fd, test::read_file(path("clip.y4m")));
    ::close(fd);
  });
  auto source = Y4mPipeSource::open({.path = fifo});
  size_t frames = 0;
  if (source) frames = read_all(**source).size();
  writer.join();
  ASSERT_TRUE(source.ok()) << source.error();
  EXPECT_EQ(frames, 10u);
  EXPECT_EQ((*source)->describe(), "video y4m pipe " + fifo + " (160x120, 50 fps, live)");
}

TEST_F(Y4mPipeSourceTest, FrameRateComesFromF) {
  auto fps = [](const std::string& tokens) {
    auto h = parse_y4m_header("YUV4MPEG2 W2 H2 " + tokens);
    EXPECT_TRUE(h.ok()) << h.error();
    if (!h) return -1.0;
    return h->fps_den > 0 ? double(h->fps_num) / h->fps_den : 0.0;
  };
  EXPECT_DOUBLE_EQ(fps("F25:1"), 25.0);
  EXPECT_NEAR(fps("F30000:1001"), 29.97, 0.001);
  EXPECT_DOUBLE_EQ(fps(""), 0.0);
  EXPECT_DOUBLE_EQ(fps("F0:0"), 0.0);
  EXPECT_DOUBLE_EQ(fps("Fjunk"), 0.0);  // an unusable rate is unknown, not an error

  PipeFeed feed(y4m("F25:1 W1280 H720 Ip A1:1 C420jpeg XYSCSS=420JPEG", {}));
  auto source = open(feed.fd());
  ASSERT_TRUE(source);
  EXPECT_DOUBLE_EQ(source->frame_rate(), 25.0);
  EXPECT_EQ(source->describe(), "video y4m pipe - (1280x720, 25 fps, live)");
  EXPECT_FALSE(source->read());
  EXPECT_EQ(source->error(), "");

  PipeFeed no_rate(y4m("W64 H64", {}));
  auto unknown = open(no_rate.fd());
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->frame_rate(), 0.0);
  EXPECT_EQ(unknown->header().colour_space, "420jpeg");  // the default without C
  EXPECT_EQ(unknown->describe(), "video y4m pipe - (64x64, live)");
}

TEST_F(Y4mPipeSourceTest, Yuv444And422AndMonoAreConverted) {
  struct Case {
    std::string c;
    Bytes picture;  // 64x48, flat planes
    int y, u, v;
  };
  const size_t n = 64 * 48;
  const std::vector<Case> cases = {
      {"444", planes({{n, 200}, {n, 90}, {n, 160}}), 200, 90, 160},
      {"422", planes({{n, 50}, {n / 2, 100}, {n / 2, 150}}), 50, 100, 150},
      {"mono", planes({{n, 77}}), 77, 128, 128},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.c);
    PipeFeed feed(y4m("W64 H48 F30:1 C" + c.c, {c.picture, c.picture}));
    auto source = open(feed.fd());
    ASSERT_TRUE(source);
    EXPECT_EQ(source->reads_in_place(), c.c == "mono");
    EXPECT_EQ(source->describe(), "video y4m pipe - (64x48 " + c.c + ", 30 fps, live)");
    const auto frames = read_all(*source);
    EXPECT_EQ(source->error(), "");
    ASSERT_EQ(frames.size(), 2u);
    const VideoFrame& f = frames[1];
    ASSERT_EQ(f.width, 64);
    ASSERT_EQ(f.height, 48);
    ASSERT_TRUE(is_complete_i420(f));
    EXPECT_NEAR(f.y()[64 * 20 + 30], c.y, 1);
    EXPECT_NEAR(f.u()[32 * 10 + 15], c.u, 1);
    EXPECT_NEAR(f.v()[32 * 10 + 15], c.v, 1);
  }
}

TEST_F(Y4mPipeSourceTest, OddSizesRoundDownToEven) {
  // 641x481 4:2:0: chroma planes of 321x241.
  const Bytes picture = planes({{641 * 481, 120}, {321 * 241, 60}, {321 * 241, 180}});
  PipeFeed feed(y4m("W641 H481 F30:1 C420", {picture}));
  auto source = open(feed.fd());
  ASSERT_TRUE(source);
  EXPECT_EQ(source->header().picture_bytes, picture.size());
  EXPECT_FALSE(source->reads_in_place());
  auto frame = source->read();
  ASSERT_TRUE(frame) << source->error();
  EXPECT_EQ(frame->width, 640);
  EXPECT_EQ(frame->height, 480);
  ASSERT_TRUE(is_complete_i420(*frame));
  EXPECT_NEAR(frame->y()[640 * 240 + 320], 120, 1);
  EXPECT_NEAR(frame->u()[320 * 120 + 160], 60, 1);
  EXPECT_NEAR(frame->v()[320 * 120 + 160], 180, 1);
  EXPECT_FALSE(source->read());
  EXPECT_EQ(source->error(), "");
}

TEST_F(Y4mPipeSourceTest, OddSizedMonoKeepsItsLuma) {
  // Converted (scaled to 64x48) as 4:2:0 with flat chroma: no range change.
  PipeFeed feed(y4m("W65 H49 Cmono", {planes({{65 * 49, 77}})}));
  auto source = open(feed.fd());
  ASSERT_TRUE(source);
  EXPECT_FALSE(source->reads_in_place());
  EXPECT_EQ(source->describe(), "video y4m pipe - (65x49 mono -> 64x48, live)");
  auto frame = source->read();
  ASSERT_TRUE(frame) << source->error();
  ASSERT_EQ(frame->width, 64);
  EXPECT_NEAR(frame->y()[64 * 20 + 30], 77, 1);
  EXPECT_NEAR(frame->u()[32 * 10 + 15], 128, 1);
  EXPECT_NEAR(frame->v()[32 * 10 + 15], 128, 1);
}

TEST_F(Y4mPipeSourceTest, NonSquarePixelsAreWidened) {
  const Bytes picture = planes({{160 * 120, 100}, {80 * 60 * 2, 128}});
  PipeFeed wide(y4m("W160 H120 F30:1 A2:1", {picture}));
  auto source = open(wide.fd());
  ASSERT_TRUE(source);
  EXPECT_EQ(source->width(), 320);
  EXPECT_EQ(source->height(), 120);
  auto frame = source->read();
  ASSERT_TRUE(frame) << source->error();
  EXPECT_EQ(frame->width, 320);
  EXPECT_EQ(frame->height, 120);
  EXPECT_NEAR(frame->y()[320 * 60 + 200], 100, 1);

  PipeFeed tall(y4m("W160 H120 A1:2", {picture}));
  auto tall_source = open(tall.fd());
  ASSERT_TRUE(tall_source);
  EXPECT_EQ(tall_source->width(), 160);
  EXPECT_EQ(tall_source->height(), 240);

  PipeFeed square(y4m("W160 H120 A0:0", {picture}));  // unknown: square
  auto square_source = open(square.fd());
  ASSERT_TRUE(square_source);
  EXPECT_TRUE(square_source->reads_in_place());
}

TEST_F(Y4mPipeSourceTest, FrameLinesMayCarryParameters) {
  const Bytes picture = planes({{4 * 2, 9}, {2 * 1 * 2, 128}});
  PipeFeed feed(y4m("W4 H2", {picture, picture, picture}, "FRAME Ip XFOO=bar"));
  auto source = open(feed.fd());
  ASSERT_TRUE(source);
  const auto frames = read_all(*source);
  EXPECT_EQ(source->error(), "");
  ASSERT_EQ(frames.size(), 3u);
  EXPECT_EQ(*frames[2].i420, picture);
}

TEST_F(Y4mPipeSourceTest, ABadFrameHeaderEndsTheStream) {
  const Bytes picture = planes({{4 * 2, 9}, {2 * 1 * 2, 128}});
  Bytes data = y4m("W4 H2", {picture});
  const Bytes bad = as_bytes("FRAMES\n");
  data.insert(data.end(), bad.begin(), bad.end());
  data.insert(data.end(), picture.begin(), picture.end());
  PipeFeed feed(data);
  auto source = open(feed.fd());
  ASSERT_TRUE(source);
  EXPECT_TRUE(source->read());
  EXPECT_FALSE(source->read());
  EXPECT_EQ(source->error(), "video file '-': bad frame header");
  EXPECT_FALSE(source->read());
}

TEST_F(Y4mPipeSourceTest, BadStreamsGiveOneLineReasons) {
  EXPECT_EQ(open_error(as_bytes("hello\n")), "video file '-': not a YUV4MPEG2 stream");
  EXPECT_EQ(open_error({}), "video file '-': the pipe ended before the y4m header");
  EXPECT_EQ(open_error(as_bytes("YUV4MPEG2 W16 H16")), "video file '-': the pipe ended before the y4m header");
  EXPECT_EQ(open_error(as_bytes("YUV4")), "video file '-': the pipe ended before the y4m header");
  EXPECT_EQ(open_error(as_bytes("YUV4MPEG2X W16 H16\n")), "video file '-': not a YUV4MPEG2 stream");
  EXPECT_EQ(open_error(Bytes(5000, 'x')), "video file '-': not a YUV4MPEG2 stream");
  Bytes endless = as_bytes("YUV4MPEG2 W16 H16 X");
  endless.resize(5000, 'a');
  EXPECT_EQ(open_error(endless), "video file '-': y4m header line longer than 1024 bytes");
  EXPECT_EQ(open_error(y4m("W16 H16 C422p10", {})), "video file '-': unsupported y4m colour space C422p10");
  EXPECT_EQ(open_error(y4m("W16 H16 C444alpha", {})), "video file '-': unsupported y4m colour space C444alpha");
  EXPECT_EQ(open_error(y4m("W0 H16", {})), "video file '-': unusable frame size 0x16");
  EXPECT_EQ(open_error(y4m("W16 H9000", {})), "video file '-': unusable frame size 16x9000");
  EXPECT_EQ(open_error(y4m("W-16 H16", {})), "video file '-': bad y4m width W-16");
  EXPECT_EQ(open_error(y4m("W99999999999 H16", {})), "video file '-': bad y4m width W99999999999");
  EXPECT_EQ(open_error(y4m("H16 F30:1", {})), "video file '-': the y4m header has no frame size");

  auto missing = Y4mPipeSource::open({.path = path("missing.y4m")});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error(), "video file '" + path("missing.y4m") + "': No such file or directory");
}

TEST_F(Y4mPipeSourceTest, TruncatedPipeEndsInsteadOfHanging) {
  // The header and 3.5 frames, then the writer goes away.
  const Bytes file = test::read_file(path("clip.y4m"));
  PipeFeed feed(Bytes(file.begin(), file.begin() + long(file.size() * 35 / 100)));
  auto source = open(feed.fd());
  ASSERT_TRUE(source);
  EXPECT_EQ(read_all(*source).size(), 3u);
  EXPECT_EQ(source->error(), "video file '-': ended inside a frame");

  // Cut inside a FRAME line: the same.
  const Bytes picture = planes({{4 * 2, 9}, {2 * 1 * 2, 128}});
  Bytes cut = y4m("W4 H2", {picture});
  cut.push_back('F');
  PipeFeed cut_feed(cut);
  auto cut_source = open(cut_feed.fd());
  ASSERT_TRUE(cut_source);
  EXPECT_EQ(read_all(*cut_source).size(), 1u);
  EXPECT_EQ(cut_source->error(), "video file '-': ended inside a frame");
}

TEST_F(Y4mPipeSourceTest, InterruptWakesABlockedRead) {
  // The header and half a frame; the writer stays, silent.
  const size_t frame = VideoFrame::buffer_size(160, 120);
  Bytes data = y4m("W160 H120 F30:1", {});
  const Bytes half = as_bytes("FRAME\n");
  data.insert(data.end(), half.begin(), half.end());
  data.resize(data.size() + frame / 2, 16);
  PipeFeed feed(data, /*keep_open=*/true);
  auto source = open(feed.fd());
  ASSERT_TRUE(source);
  ASSERT_TRUE(feed.wait_written());
  auto read = std::async(std::launch::async, [&] { return source->read(); });
  // Still waiting for the rest of the frame.
  EXPECT_EQ(read.wait_for(milliseconds(50)), std::future_status::timeout);
  source->interrupt();
  ASSERT_EQ(read.wait_for(seconds(5)), std::future_status::ready);
  EXPECT_FALSE(read.get());
  EXPECT_FALSE(source->read());
  EXPECT_EQ(source->error(), "");  // interrupted is not a failure
}

TEST_F(Y4mPipeSourceTest, InterruptWakesAReadWaitingForAFrameLine) {
  PipeFeed feed(y4m("W160 H120 F30:1", {}), /*keep_open=*/true);
  auto source = open(feed.fd());
  ASSERT_TRUE(source);
  auto read = std::async(std::launch::async, [&] { return source->read(); });
  EXPECT_EQ(read.wait_for(milliseconds(20)), std::future_status::timeout);
  source->interrupt();
  ASSERT_EQ(read.wait_for(seconds(5)), std::future_status::ready);
  EXPECT_FALSE(read.get());
}

TEST_F(Y4mPipeSourceTest, ThePipeKeepsItsOwnSize) {
  // Enlarging it to a whole 720p frame measured slower (see the header).
  PipeFeed feed(y4m("W1280 H720", {}), /*keep_open=*/true);
  const int before = ::fcntl(feed.fd(), F_GETPIPE_SZ);
  auto source = open(feed.fd());
  ASSERT_TRUE(source);
  EXPECT_EQ(::fcntl(feed.fd(), F_GETPIPE_SZ), before);
  source->interrupt();
}

}  // namespace
}  // namespace peercall
