// Runs under xvfb-run (see CMakeLists.txt); skipped when there is no display.
#include "output/sdl/video_window.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <optional>
#include <thread>

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

// PEERCALL_SHOT_DIR=dir keeps the snapshots as PPM files, to look at.
void keep(const VideoWindow::Snapshot& s, const char* name) {
  const char* dir = std::getenv("PEERCALL_SHOT_DIR");
  if (!dir || s.width == 0) return;
  std::ofstream out(std::string(dir) + "/" + name + ".ppm", std::ios::binary);
  out << "P6\n" << s.width << " " << s.height << "\n255\n";
  out.write(reinterpret_cast<const char*>(s.rgb.data()), std::streamsize(s.rgb.size()));
}

bool is_dark(Rgb p) { return p.r + p.g + p.b < 3 * 60; }
bool is_badge_red(Rgb p) { return p.r > 120 && p.g < 90 && p.b < 110 && p.b > 40; }  // red box over blue
bool is_not_red(Rgb p) { return !is_red(p); }

template <class Test>
int count(const VideoWindow::Snapshot& s, int x0, int y0, int x1, int y1, Test test) {
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
  void push_text(const char* text) {
    SDL_Event event{};
    event.type = SDL_TEXTINPUT;
    std::strncpy(event.text.text, text, sizeof event.text.text - 1);
    push(event);
  }
  // The remote picture fills the window (sized to it), the self view in its corner.
  VideoWindow::Snapshot call_with(VideoFrame remote, std::optional<VideoFrame> self = std::nullopt) {
    window->set_remote_frame(std::move(remote));
    if (self) window->set_self_frame(std::move(*self));
    pump_a_few();
    return window->snapshot();
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
  window->set_remote_label("192.0.2.7");
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
  keep(shot, "overlay");
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
  // '?' is the window's help box now, reported as an action, not a key.
  EXPECT_EQ(window->pump(20ms), VideoWindow::Action::kToggleHelp);
  EXPECT_EQ(window->take_keys(), "ad");
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

TEST_F(VideoWindowTest, TextUsesTheDejaVuFont) { EXPECT_TRUE(window->uses_ttf()); }

TEST_F(VideoWindowTest, RemoteLabelInABoxBottomLeft) {
  auto shot = call_with(red(640, 360));
  const int w = shot.width, h = shot.height;
  ASSERT_EQ(w, 640);
  // The bottom-left corner where the label goes: all red before.
  EXPECT_EQ(count(shot, 0, h * 3 / 4, w / 2, h, is_not_red), 0);
  window->set_remote_label("Alice");
  pump_a_few();
  shot = window->snapshot();
  // The box darkens the red behind it; the text is bright.
  keep(shot, "label");
  EXPECT_GT(count(shot, 0, h * 3 / 4, w / 3, h, is_not_red), 200);
  EXPECT_GT(count(shot, 0, h * 3 / 4, w / 3, h, is_bright), 20);
  // Only there: the top and the right half stay red.
  EXPECT_EQ(count(shot, 0, 0, w, h / 2, is_not_red), 0);
  EXPECT_EQ(count(shot, w / 2, h * 3 / 4, w, h, is_not_red), 0);
}

TEST_F(VideoWindowTest, TextGrowsWithTheWindow) {
  window->set_remote_label("Alice");
  // The label box's height: the non-red rows of a column through it.
  auto box_height = [](const VideoWindow::Snapshot& s) {
    int rows = 0;
    for (int y = s.height / 2; y < s.height; ++y) rows += !is_red(pixel(s, 14, y));
    return rows;
  };
  const auto large = call_with(red(1280, 720));
  keep(large, "label-720p");
  ASSERT_EQ(large.height, 720);
  WindowConfig config;
  config.width = 640;
  config.height = 360;
  auto second = VideoWindow::open(config);
  ASSERT_TRUE(second.ok()) << second.error();
  (*second)->set_remote_label("Alice");
  (*second)->set_remote_frame(red(1280, 720));  // fitted into 640x360
  for (int i = 0; i < 5; ++i) (*second)->pump(20ms);
  const auto small = (*second)->snapshot();
  ASSERT_EQ(small.height, 360);
  EXPECT_GE(box_height(small), 14);
  EXPECT_GE(box_height(large), 22) << "about 18 px text at 720p";
  EXPECT_LE(box_height(large), 32);
  EXPECT_GT(box_height(large), box_height(small));
}

TEST_F(VideoWindowTest, RemoteCameraOffShowsADarkPictureNotTheLastFrame) {
  auto shot = call_with(red(640, 360));
  const int w = shot.width, h = shot.height;
  ASSERT_TRUE(is_red(pixel(shot, w / 4, h / 4)));
  window->set_remote_state(false, true);
  pump_a_few();
  shot = window->snapshot();
  keep(shot, "remote-camera-off");
  EXPECT_EQ(count(shot, 0, 0, w, h, is_red), 0) << "no frozen frame";
  EXPECT_TRUE(is_dark(pixel(shot, w / 4, h / 4)));
  // "camera off" in the middle.
  int light = 0;
  for (int y = h / 2 - 15; y < h / 2 + 15; ++y)
    for (int x = w / 4; x < w * 3 / 4; ++x) light += pixel(shot, x, y).r > 100;
  EXPECT_GT(light, 30);
  window->set_remote_state(false, false);
  pump_a_few();
  EXPECT_TRUE(is_red(pixel(window->snapshot(), w / 4, h / 4)));
}

TEST_F(VideoWindowTest, RemoteMutedBadge) {
  auto shot = call_with(blue(640, 360));
  const int w = shot.width, h = shot.height;
  EXPECT_EQ(count(shot, 0, h * 3 / 4, w / 2, h, is_badge_red), 0);
  window->set_remote_state(true, false);
  pump_a_few();
  shot = window->snapshot();
  keep(shot, "remote-muted");
  EXPECT_GT(count(shot, 0, h * 3 / 4, w / 2, h, is_badge_red), 200);
  EXPECT_TRUE(is_blue(pixel(shot, w / 2, h / 2))) << "the picture still shows";
}

TEST_F(VideoWindowTest, SelfViewIsLabelledAndShowsCameraOff) {
  auto shot = call_with(red(640, 360), blue(320, 180));
  const int w = shot.width, h = shot.height;
  const int self_blue = count(shot, w / 2, h / 2, w, h, is_blue);
  ASSERT_GT(self_blue, 1000);
  // "You" in its box darkens part of the self view.
  const int bright_you = count(shot, w / 2, h / 2, w, h, is_bright);
  window->set_local_state(true, false);  // "You (muted)": a longer label
  pump_a_few();
  shot = window->snapshot();
  keep(shot, "self-muted");
  EXPECT_LT(count(shot, w / 2, h / 2, w, h, is_blue), self_blue);
  EXPECT_GT(count(shot, w / 2, h / 2, w, h, is_bright), bright_you);
  window->set_local_state(false, true);
  pump_a_few();
  shot = window->snapshot();
  keep(shot, "self-camera-off");
  EXPECT_EQ(count(shot, 0, 0, w, h, is_blue), 0) << "camera off: not the last self frame";
  EXPECT_TRUE(is_red(pixel(shot, w / 4, h / 4)));
}

TEST_F(VideoWindowTest, SwapPutsTheSelfViewBig) {
  auto shot = call_with(red(640, 360), blue(640, 360));
  const int w = shot.width, h = shot.height;
  ASSERT_TRUE(is_red(pixel(shot, w / 2, h / 2)));
  push_key(SDLK_w);
  EXPECT_EQ(window->pump(20ms), VideoWindow::Action::kSwapPictures);
  EXPECT_TRUE(window->swapped());
  shot = window->snapshot();
  keep(shot, "swapped");
  EXPECT_TRUE(is_blue(pixel(shot, w / 2, h / 2)));
  EXPECT_GT(count(shot, w / 2, h / 2, w, h, is_red), 1000) << "the remote picture small";
  EXPECT_EQ(count(shot, 0, 0, w / 2, h / 2, is_red), 0);
  push_key(SDLK_w);
  window->pump(20ms);
  EXPECT_TRUE(is_red(pixel(window->snapshot(), w / 2, h / 2)));
}

TEST_F(VideoWindowTest, ChatLineIsTypedSentAndShown) {
  auto before = call_with(blue(640, 360));
  const int w = before.width, h = before.height;
  push_key(SDLK_TAB);
  window->pump(20ms);
  ASSERT_TRUE(window->typing_chat());
  // The input line at the bottom.
  push_text("draft");
  window->pump(20ms);
  auto typing = window->snapshot();
  keep(typing, "chat-typing");
  push_key(SDLK_BACKSPACE);
  push_key(SDLK_BACKSPACE);
  push_key(SDLK_BACKSPACE);
  push_key(SDLK_BACKSPACE);
  push_key(SDLK_BACKSPACE);
  EXPECT_GT(count(typing, 0, h - 40, w, h, is_dark), 1000);
  push_key(SDLK_q);  // a letter while typing: no hang-up (its text event types it)
  push_text("hello q");
  push_text(" world");
  EXPECT_EQ(window->pump(20ms), VideoWindow::Action::kNone);
  EXPECT_EQ(window->take_chat_line(), std::nullopt) << "not before Enter";
  push_key(SDLK_RETURN);
  EXPECT_EQ(window->pump(20ms), VideoWindow::Action::kChatLine);
  EXPECT_FALSE(window->typing_chat());
  EXPECT_EQ(window->take_chat_line(), std::optional<std::string>("hello q world"));
  EXPECT_EQ(window->take_chat_line(), std::nullopt);
  EXPECT_EQ(window->take_keys(), "");
  // Shown as the user's own line, bottom-left.
  auto sent = window->snapshot();
  keep(sent, "chat-sent");
  EXPECT_GT(count(sent, 0, h / 2, w / 2, h, is_bright), 20);
  EXPECT_EQ(count(sent, 0, 0, w, h / 3, is_bright), 0);
}

TEST_F(VideoWindowTest, EscapeCancelsTheChatLineWithoutHangingUp) {
  pump_a_few();
  push_key(SDLK_c);
  push_text("oops");
  push_key(SDLK_ESCAPE);
  EXPECT_EQ(window->pump(20ms), VideoWindow::Action::kNone);
  EXPECT_FALSE(window->typing_chat());
  EXPECT_EQ(window->take_chat_line(), std::nullopt);
}

TEST_F(VideoWindowTest, ReceivedChatLinesShowAndOldOnesDoNot) {
  const auto before = call_with(blue(640, 360));
  const int w = before.width, h = before.height;
  window->add_chat_line("Alice", "an old line", Clock::now() - std::chrono::seconds(20));
  pump_a_few();
  EXPECT_EQ(window->snapshot().rgb, before.rgb) << "older than 15 s: gone";
  window->add_chat_line("Alice", "hello there", Clock::now());
  pump_a_few();
  const auto shot = window->snapshot();
  keep(shot, "chat-received");
  EXPECT_GT(count(shot, 0, h / 2, w / 2, h, is_bright), 20);
  EXPECT_EQ(count(shot, w * 2 / 3, 0, w, h, is_bright), 0) << "left, not across the picture";
}

TEST_F(VideoWindowTest, ChatLinesFadeInTheirLastSeconds) {
  const auto before = call_with(blue(640, 360));
  const int w = before.width, h = before.height;
  window->add_chat_line("Alice", "fading away", Clock::now() - std::chrono::milliseconds(13'500));
  pump_a_few();
  const auto shot = window->snapshot();
  keep(shot, "chat-fading");
  EXPECT_NE(shot.rgb, before.rgb) << "still there";
  EXPECT_EQ(count(shot, 0, 0, w, h, is_bright), 0) << "but at half strength";
  EXPECT_GT(count(shot, 0, h / 2, w / 2, h, [](Rgb p) { return p.r > 60 && p.g > 60; }), 10);
}

TEST_F(VideoWindowTest, TitleIsSetOnTheMainThread) {
  pump_a_few();
  EXPECT_EQ(window->title(), "peercall");
  std::thread([&] { window->set_title("peercall - call with Alice"); }).join();
  pump_a_few();
  EXPECT_EQ(window->title(), "peercall - call with Alice");
}

TEST_F(VideoWindowTest, ActionsAreAllReportedInOrder) {
  pump_a_few();
  window->take_actions();
  push_key(SDLK_m);
  push_key(SDLK_v);
  push_key(SDLK_s);
  EXPECT_EQ(window->pump(20ms), VideoWindow::Action::kToggleMute) << "the first one";
  EXPECT_EQ(window->take_actions(), (std::vector<VideoWindow::Action>{VideoWindow::Action::kToggleMute,
                                                                      VideoWindow::Action::kToggleCamera,
                                                                      VideoWindow::Action::kToggleStats}));
  EXPECT_TRUE(window->take_actions().empty());
  push_key(SDLK_m);
  push_key(SDLK_q);
  EXPECT_EQ(window->pump(20ms), VideoWindow::Action::kHangUp) << "a hang-up wins";
}

TEST_F(VideoWindowTest, FullScreenToggles) {
  pump_a_few();
  ASSERT_FALSE(window->fullscreen());
  push_key(SDLK_f);
  EXPECT_EQ(window->pump(20ms), VideoWindow::Action::kToggleFullscreen);
  EXPECT_TRUE(window->fullscreen());
  pump_a_few();
  push_key(SDLK_f);
  EXPECT_EQ(window->pump(20ms), VideoWindow::Action::kToggleFullscreen);
  EXPECT_FALSE(window->fullscreen());
}

TEST_F(VideoWindowTest, HelpBoxShowsAndEscapeClosesIt) {
  const auto before = call_with(red(640, 360));
  const int w = before.width, h = before.height;
  push_key(SDLK_QUESTION);
  EXPECT_EQ(window->pump(20ms), VideoWindow::Action::kToggleHelp);
  EXPECT_TRUE(window->help_visible());
  const auto help = window->snapshot();
  keep(help, "help");
  EXPECT_GT(count(help, w / 4, h / 4, w * 3 / 4, h * 3 / 4, is_not_red), 5000);
  EXPECT_GT(count(help, w / 4, h / 4, w * 3 / 4, h * 3 / 4, is_bright), 200);
  push_key(SDLK_ESCAPE);
  EXPECT_EQ(window->pump(20ms), VideoWindow::Action::kToggleHelp) << "closes, no hang-up";
  EXPECT_FALSE(window->help_visible());
  EXPECT_EQ(window->snapshot().rgb, before.rgb);
}

TEST(VideoWindowFonts, WithoutTheFontFileTheBitmapFontDraws) {
  if (!std::getenv("DISPLAY")) GTEST_SKIP() << "no DISPLAY (ctest runs this under xvfb-run)";
  WindowConfig config;
  config.font_path = "/nonexistent/peercall-font.ttf";
  config.mono_font_path = "/nonexistent/peercall-mono.ttf";
  auto opened = VideoWindow::open(config);
  ASSERT_TRUE(opened.ok()) << opened.error();
  auto& window = **opened;
  EXPECT_FALSE(window.uses_ttf());
  window.set_remote_frame(red(640, 360));
  window.set_remote_label("ALICE");
  for (int i = 0; i < 5; ++i) window.pump(20ms);
  const auto shot = window.snapshot();
  keep(shot, "bitmap-label");
  const int w = shot.width, h = shot.height;
  EXPECT_GT(count(shot, 0, h * 3 / 4, w / 3, h, is_bright), 20);
  EXPECT_EQ(count(shot, 0, 0, w, h / 2, is_not_red), 0);
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
