#include "app/main_loop.hpp"

#include "app/terminal_keys.hpp"
#include "output/sdl/video_window.hpp"

namespace peercall {

void run_main_loop(VideoWindow* window, bool keys_from_stdin, std::optional<Duration> duration,
                   const MainLoopHooks& hooks) {
  TerminalKeys keys(keys_from_stdin);
  const auto deadline = duration ? std::optional<Instant>(Clock::now() + *duration) : std::nullopt;
  while (!hooks.ended()) {
    if (window) {
      if (window->pump(std::chrono::milliseconds(20)) == VideoWindow::Action::kHangUp) hooks.hang_up();
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
