// ScreenSource on a real X server: ctest runs this under a private Xvfb
// (1280x800). An SDL window at the top-left corner, white on its left half
// and black on its right, gives the grabbed regions known content.
#include "media/device/screen_source.hpp"

#include <SDL.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <numeric>

namespace peercall {
namespace {

double mean_luma(const VideoFrame& f) {
  const size_t n = size_t(f.width) * f.height;
  return std::accumulate(f.y(), f.y() + n, 0.0) / double(n);
}

class ScreenSourceTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!std::getenv("DISPLAY")) return;
    ASSERT_EQ(SDL_Init(SDL_INIT_VIDEO), 0) << SDL_GetError();
    window_ = SDL_CreateWindow("screen test", 0, 0, 320, 240, SDL_WINDOW_BORDERLESS | SDL_WINDOW_SHOWN);
    ASSERT_TRUE(window_) << SDL_GetError();
    SDL_Surface* surface = SDL_GetWindowSurface(window_);
    ASSERT_TRUE(surface) << SDL_GetError();
    SDL_FillRect(surface, nullptr, SDL_MapRGB(surface->format, 0, 0, 0));
    SDL_Rect left{0, 0, 160, 240};
    SDL_FillRect(surface, &left, SDL_MapRGB(surface->format, 255, 255, 255));
    for (int i = 0; i < 20; ++i) {  // map the window and let X draw it
      SDL_PumpEvents();
      SDL_UpdateWindowSurface(window_);
      SDL_Delay(10);
    }
  }
  static void TearDownTestSuite() {
    if (window_) SDL_DestroyWindow(window_);
    SDL_Quit();
  }
  void SetUp() override {
    if (!std::getenv("DISPLAY")) GTEST_SKIP() << "no X display (ctest runs this under Xvfb)";
  }
  static std::unique_ptr<ScreenSource> open(const std::string& spec, int fps = 15) {
    auto config = parse_screen_spec(spec);
    EXPECT_TRUE(config.ok()) << config.error();
    if (!config) return nullptr;
    config->fps = fps;
    auto source = ScreenSource::open(*config);
    EXPECT_TRUE(source.ok()) << source.error();
    return source ? std::move(*source) : nullptr;
  }
  static inline SDL_Window* window_ = nullptr;
};

TEST_F(ScreenSourceTest, ParsesTheRegion) {
  auto whole = parse_screen_spec("");
  ASSERT_TRUE(whole.ok());
  EXPECT_EQ(whole->width, 0);
  auto region = parse_screen_spec(":+10,20,640x360");
  ASSERT_TRUE(region.ok());
  EXPECT_EQ(region->x, 10);
  EXPECT_EQ(region->y, 20);
  EXPECT_EQ(region->width, 640);
  EXPECT_EQ(region->height, 360);
  for (const char* bad : {":", ":+1,2", ":+1,2,3", ":+-1,0,10x10", ":+0,0,640x360junk", "x"}) {
    auto parsed = parse_screen_spec(bad);
    ASSERT_FALSE(parsed.ok()) << bad;
    EXPECT_NE(parsed.error().find("screen:+X,Y,WxH"), std::string::npos) << parsed.error();
  }
}

TEST_F(ScreenSourceTest, WholeScreenAtItsOwnSize) {
  auto source = open("");
  ASSERT_TRUE(source);
  auto frame = source->read();
  ASSERT_TRUE(frame) << source->error();
  EXPECT_EQ(frame->width, 1280);
  EXPECT_EQ(frame->height, 800);
  EXPECT_TRUE(source->screen_content());
  EXPECT_DOUBLE_EQ(source->frame_rate(), 15.0);
}

TEST_F(ScreenSourceTest, RegionsHaveTheirSizeAndContent) {
  auto white = open(":+0,0,160x120");
  ASSERT_TRUE(white);
  auto frame = white->read();
  ASSERT_TRUE(frame) << white->error();
  EXPECT_EQ(frame->width, 160);
  EXPECT_EQ(frame->height, 120);
  EXPECT_GT(mean_luma(*frame), 200);  // limited range: white is 235
  EXPECT_LE(frame->capture_time, Clock::now());
  EXPECT_GT(frame->capture_time, Clock::now() - seconds(1));

  auto black = open(":+160,0,160x120");
  ASSERT_TRUE(black);
  frame = black->read();
  ASSERT_TRUE(frame) << black->error();
  EXPECT_LT(mean_luma(*frame), 40);

  auto odd = open(":+0,0,641x361");  // rounded down to even
  ASSERT_TRUE(odd);
  frame = odd->read();
  ASSERT_TRUE(frame);
  EXPECT_EQ(frame->width, 640);
  EXPECT_EQ(frame->height, 360);
}

TEST_F(ScreenSourceTest, PacedAtTheAskedRate) {
  auto source = open(":+0,0,320x240", 20);
  ASSERT_TRUE(source);
  ASSERT_TRUE(source->read());
  const Instant start = Clock::now();
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(source->read());
  // 10 frames at 20 fps: 500 ms; a lower bound only (a busy machine is slower).
  EXPECT_GE(Clock::now() - start, milliseconds(400));
}

TEST_F(ScreenSourceTest, ARegionOffTheScreenIsAnError) {
  auto config = parse_screen_spec(":+1200,0,640x360");
  ASSERT_TRUE(config.ok());
  auto source = ScreenSource::open(*config);
  EXPECT_FALSE(source.ok());
}

TEST(ScreenSourceNoX, WaylandOnlyIsSaidPlainly) {
  const char* display = std::getenv("DISPLAY");
  const std::string saved = display ? display : "";
  ::unsetenv("DISPLAY");
  ::setenv("WAYLAND_DISPLAY", "wayland-0", 1);
  auto source = ScreenSource::open(ScreenConfig{});
  ASSERT_FALSE(source.ok());
  EXPECT_NE(source.error().find("Wayland is not supported"), std::string::npos) << source.error();
  ::unsetenv("WAYLAND_DISPLAY");
  auto none = ScreenSource::open(ScreenConfig{});
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.error().find("DISPLAY is not set"), std::string::npos) << none.error();
  if (!saved.empty()) ::setenv("DISPLAY", saved.c_str(), 1);
}

}  // namespace
}  // namespace peercall
