#include "app/main_loop.hpp"

#include <cstdio>
#include <string>

#include "app/terminal_keys.hpp"
#include "output/sdl/video_window.hpp"

namespace peercall {

void run_main_loop(VideoWindow* window, bool keys_from_stdin, std::optional<Duration> duration,
                   const MainLoopHooks& hooks) {
  TerminalKeys keys(keys_from_stdin, hooks.on_key);
  if (hooks.on_chat_line) keys.set_line_handler(hooks.on_chat_line);
  const auto deadline = duration ? std::optional<Instant>(Clock::now() + *duration) : std::nullopt;
  std::string shown_prompt;
  while (!hooks.ended()) {
    if (window) {
      window->pump(std::chrono::milliseconds(20));
      for (VideoWindow::Action action : window->take_actions()) {
        switch (action) {
          case VideoWindow::Action::kHangUp: hooks.hang_up(); break;
          case VideoWindow::Action::kToggleMute:
            if (hooks.on_key) hooks.on_key('m');
            break;
          case VideoWindow::Action::kToggleCamera:
            if (hooks.on_key) hooks.on_key('v');
            break;
          case VideoWindow::Action::kChatLine:
            if (auto line = window->take_chat_line(); line && hooks.on_chat_line) hooks.on_chat_line(*line);
            break;
          default: break;  // stats, full screen, swap, help: the window does them
        }
      }
      for (char key : window->take_keys())
        if (hooks.on_key) hooks.on_key(key);
      if (hooks.prompt) {
        if (std::string p = hooks.prompt(); p != shown_prompt) window->set_prompt_text(shown_prompt = p);
      }
      if (keys.wait_for_hang_up(std::chrono::milliseconds(0))) hooks.hang_up();
    } else if (keys.enabled()) {
      if (keys.wait_for_hang_up(std::chrono::milliseconds(100))) hooks.hang_up();
    } else {
      hooks.wait_for_end(milliseconds(100));
    }
    if (deadline && Clock::now() >= *deadline) hooks.time_is_up();
  }
}

}  // namespace peercall
