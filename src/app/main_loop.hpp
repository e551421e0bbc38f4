#pragma once
// The main thread while a call runs: the window's events (or the terminal's
// keys when there is no window) and the --duration deadline, until something
// ends the run.
#include <functional>
#include <optional>

#include "core/time.hpp"

namespace peercall {

class VideoWindow;

struct MainLoopHooks {
  std::function<bool()> ended;                // the run is over (any thread may end it)
  std::function<void()> hang_up;              // the user hung up
  std::function<void()> time_is_up;           // --duration passed
  std::function<void(Duration)> wait_for_end;  // blocks up to the duration, or until ended
  std::function<bool(char key)> on_key = {};   // other keys (terminal and window); true if taken
  std::function<std::string()> prompt = {};    // a question for the window ("" for none)
  std::function<void(std::string)> on_chat_line = {};  // a line typed (terminal or window)
};

void run_main_loop(VideoWindow* window, bool keys_from_stdin, std::optional<Duration> duration,
                   const MainLoopHooks& hooks);

}  // namespace peercall
