#pragma once
// The call window's keys as plain state: SDL key and text events in, what the
// user asked for out. No window or display is needed, so it is unit-tested
// directly. The same keys as in the terminal (Esc/q/Enter hang up, s stats),
// plus the window's own: m, v, f, w, ?, and a chat line opened with Tab, c or /.
#include <SDL.h>

#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace peercall {

enum class WindowAction {
  kNone,
  kHangUp,            // Esc, q, Enter (not while typing or in the help box), window closed
  kToggleStats,       // s
  kToggleMute,        // m: the app mutes/unmutes the microphone, then calls set_local_state()
  kToggleCamera,      // v: the app stops/restarts the camera, then calls set_local_state()
  kToggleFullscreen,  // f: the window has already toggled itself
  kSwapPictures,      // w: the window has already swapped the big and small picture
  kToggleHelp,        // ?: the window shows/hides its help box itself
  kChatLine,          // Enter in the chat line: take_chat_line() has it
};

const char* to_string(WindowAction action);

// The help box's lines (key, then what it does).
std::string_view window_key_help();

class WindowKeys {
 public:
  struct Outcome {
    WindowAction action = WindowAction::kNone;
    char key = 0;          // another letter (a, d, y, n...) for the app's take_keys()
    bool changed = false;  // what the window shows changed (chat draft, help box)
  };
  static constexpr size_t kMaxChatBytes = 500;

  Outcome on_key_down(SDL_Keycode sym, Uint16 mod, bool repeat);
  // SDL_TEXTINPUT (UTF-8); only counts while typing a chat line.
  Outcome on_text(std::string_view utf8);

  bool typing() const { return typing_; }
  // True when typing just started or stopped: the window starts/stops SDL's
  // text input accordingly (reset by the call).
  bool take_typing_changed() { return std::exchange(typing_changed_, false); }
  const std::string& draft() const { return draft_; }
  bool help_visible() const { return help_visible_; }
  std::optional<std::string> take_line();

 private:
  Outcome on_typing_key(SDL_Keycode sym);
  void start_typing(char opener);
  void stop_typing();

  bool typing_ = false;
  bool typing_changed_ = false;
  bool help_visible_ = false;
  // The key that opened the chat line may also arrive as text right after
  // its key-down; that one character is not part of the line.
  char skip_text_ = 0;
  std::string draft_;
  std::optional<std::string> line_;
};

}  // namespace peercall
