// Runs under xvfb-run (see CMakeLists.txt); skipped when there is no display.
#include "output/sdl/video_window.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <memory>

namespace peercall {
namespace {

using namespace std::chrono_literals;

VideoFrame solid_frame(int w, int h, uint8_t y, uint8_t u, uint8_t v) {
  auto buffer = std::make_shared<std::vector<uint8_t>>(VideoFrame::buffer_size(w, h));
  std::memset(buffer->data(), y, size_t(w) * h);
  std::memset(buffer->data() + size_t(w) * h, u, size_t(w / 2) * (h / 2));
  std::memset(buffer->data() + size_t(w) * h + size_t(w / 2) * (h / 2), v, size_t(w / 2) * (h / 2));
  VideoFrame f;
  f.width = w;
  f.height = h;
  f.i420 = std::move(buffer);
  return f;
}
// BT.601 limited range.
VideoFrame red(int w, int h) { return solid_frame(w, h, 81, 90, 240); }
VideoFrame blue(int w, int h) { return solid_frame(w, h, 41, 240, 110); }

struct Rgb {
  int r, g, b;
};
Rgb pixel(const VideoWindow::Snapshot& s, int x, int y) {
  const uint8_t* p = s.rgb.data() + (size_t(y) * s.width + x) * 3;
  return {p[0], p[1], p[2]};
}
bool is_red(Rgb p) { return p.r > 200 && p.g < 60 && p.b < 60; }
bool is_blue(Rgb p) { return p.b > 200 && p.r < 60 && p.g < 60; }
bool is_bright(Rgb p) { return p.r > 200 && p.g > 200 && p.b > 200; }

int count(const VideoWindow::Snapshot& s, int x0, int y0, int x1, int y1, bool (*test)(Rgb)) {
  int n = 0;
  for (int y = y0; y < y1; ++y)
    for (int x = x0; x < x1; ++x) n += test(pixel(s, x, y));
  return n;
}

class VideoWindowTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::getenv("DISPLAY")) GTEST_SKIP() << "no DISPLAY (ctest runs this under xvfb-run)";
    auto opened = VideoWindow::open(WindowConfig{});
    ASSERT_TRUE(opened.ok()) << opened.error();
    window = std::move(*opened);
  }
  void pump_a_few() {
    for (int i = 0; i < 5; ++i) window->pump(20ms);
  }
  void push(const SDL_Event& event) {
    SDL_Event copy = event;
    ASSERT_EQ(SDL_PushEvent(&copy), 1) << SDL_GetError();
  }
  void push_key(SDL_Keycode key) {
    SDL_Event event{};
    event.type = SDL_KEYDOWN;
    event.key.state = SDL_PRESSED;
    event.key.keysym.sym = key;
    push(event);
  }

  std::unique_ptr<VideoWindow> window;
};

TEST_F(VideoWindowTest, WaitingScreenBeforeVideo) {
  pump_a_few();
  const auto shot = window->snapshot();
  ASSERT_GT(shot.width, 0);
  ASSERT_EQ(shot.rgb.size(), size_t(shot.width) * shot.height * 3);
  const Rgb corner = pixel(shot, 2, 2);
  EXPECT_LT(corner.r + corner.g + corner.b, 3 * 40);  // dark background
  // The "waiting for video..." text: light pixels around the centre row.
  int light = 0;
  for (int x = 0; x < shot.width; ++x) {
    for (int dy = -12; dy <= 12; ++dy) {
      const Rgb p = pixel(shot, x, shot.height / 2 + dy);
      light += p.r > 120 && p.g > 120 && p.b > 120;
    }
  }
  EXPECT_GT(light, 50);
}

TEST_F(VideoWindowTest, RemoteLargeSelfInTheCornerOverlayOnToggle) {
  window->set_remote_frame(red(640, 360));
  window->set_self_frame(blue(320, 180));
  window->set_overlay_text({"RTT 12 MS", "LOSS 0.0%", "VIDEO 640X360 30 FPS"});
  pump_a_few();

  auto shot = window->snapshot();
  ASSERT_GT(shot.width, 0);
  const int w = shot.width, h = shot.height;
  EXPECT_TRUE(is_red(pixel(shot, w / 2, h / 2)));
  // Self view: bottom-right quarter has blue, top-left has none.
  EXPECT_GT(count(shot, w / 2, h / 2, w, h, is_blue), 100);
  EXPECT_EQ(count(shot, 0, 0, w / 2, h / 2, is_blue), 0);
  // Overlay hidden until toggled.
  EXPECT_EQ(count(shot, 0, 0, w / 2, h / 2, is_bright), 0);

  push_key(SDLK_s);
  EXPECT_EQ(window->pump(20ms), VideoWindow::Action::kToggleStats);
  EXPECT_TRUE(window->overlay_visible());
  shot = window->snapshot();
  EXPECT_GT(count(shot, 0, 0, w / 2, h / 2, is_bright), 50);
  EXPECT_TRUE(is_red(pixel(shot, w / 2, h / 2)));  // overlay box stays in its corner

  push_key(SDLK_s);
  EXPECT_EQ(window->pump(20ms), VideoWindow::Action::kToggleStats);
  shot = window->snapshot();
  EXPECT_EQ(count(shot, 0, 0, w / 2, h / 2, is_bright), 0);
}

TEST_F(VideoWindowTest, OnlyTheLatestFrameIsKept) {
  window->set_remote_frame(blue(640, 360));
  window->set_remote_frame(red(640, 360));
  pump_a_few();
  const auto shot = window->snapshot();
  EXPECT_TRUE(is_red(pixel(shot, shot.width / 2, shot.height / 2)));
  EXPECT_EQ(window->stats().remote_frames_dropped, 1u);
  EXPECT_EQ(window->stats().remote_frames_shown, 1u);
}

TEST_F(VideoWindowTest, NarrowerPictureIsLetterboxed) {
  window->set_remote_frame(red(640, 360));  // sizes the window to 16:9
  pump_a_few();
  window->set_remote_frame(red(480, 360));  // 4:3 now: dark bars left and right
  pump_a_few();
  const auto shot = window->snapshot();
  ASSERT_GT(shot.width, 0);
  const Rgb left = pixel(shot, 2, shot.height / 3);
  const Rgb right = pixel(shot, shot.width - 3, shot.height / 3);
  EXPECT_LT(left.r + left.g + left.b, 3 * 40);
  EXPECT_LT(right.r + right.g + right.b, 3 * 40);
  EXPECT_TRUE(is_red(pixel(shot, shot.width / 2, shot.height / 3)));
}

TEST_F(VideoWindowTest, InvalidFramesAreIgnored) {
  VideoFrame truncated = red(640, 360);
  truncated.i420 = std::make_shared<std::vector<uint8_t>>(100);
  window->set_remote_frame(truncated);
  window->set_remote_frame(VideoFrame{});
  pump_a_few();
  EXPECT_EQ(window->stats().remote_frames_shown, 0u);
}

TEST_F(VideoWindowTest, EscapeHangsUp) {
  pump_a_few();
  push_key(SDLK_ESCAPE);
  EXPECT_EQ(window->pump(20ms), VideoWindow::Action::kHangUp);
}

TEST_F(VideoWindowTest, LetterKeysAndQuestionMarkAreHandedToTheApp) {
  pump_a_few();
  push_key(SDLK_a);
  push_key(SDLK_d);
  SDL_Event question{};
  question.type = SDL_KEYDOWN;
  question.key.state = SDL_PRESSED;
  question.key.keysym.sym = SDLK_SLASH;
  question.key.keysym.mod = KMOD_LSHIFT;
  push(question);
  push_key(SDLK_UP);  // not a letter: not handed on, and no hang-up
  EXPECT_EQ(window->pump(20ms), VideoWindow::Action::kNone);
  EXPECT_EQ(window->take_keys(), "ad?");
  EXPECT_EQ(window->take_keys(), "");
}

TEST_F(VideoWindowTest, PromptIsDrawnUntilCleared) {
  pump_a_few();
  const auto before = window->snapshot();
  window->set_prompt_text("call from 192.0.2.7: a = accept, d = decline");
  pump_a_few();
  const auto asking = window->snapshot();
  ASSERT_EQ(asking.rgb.size(), before.rgb.size());
  EXPECT_NE(asking.rgb, before.rgb) << "the prompt shows";
  window->set_prompt_text("");
  pump_a_few();
  EXPECT_EQ(window->snapshot().rgb, before.rgb) << "and goes away";
}

TEST_F(VideoWindowTest, QuitEventHangsUp) {
  pump_a_few();
  SDL_Event quit{};
  quit.type = SDL_QUIT;
  push(quit);
  EXPECT_EQ(window->pump(20ms), VideoWindow::Action::kHangUp);
}

TEST_F(VideoWindowTest, PumpWithNothingToDoReturnsNone) {
  pump_a_few();
  EXPECT_EQ(window->pump(1ms), VideoWindow::Action::kNone);
}

TEST(VideoWindowNoDisplay, OpenFailsCleanly) {
  const char* display = std::getenv("DISPLAY");
  const std::string saved = display ? display : "";
  ::unsetenv("DISPLAY");
  ::unsetenv("WAYLAND_DISPLAY");
  auto opened = VideoWindow::open(WindowConfig{});
  if (display) ::setenv("DISPLAY", saved.c_str(), 1);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error(), "window: no display (set DISPLAY or use --view none)");
}

}  // namespace
}  // namespace peercall
