#include "output/sdl/window_keys.hpp"

namespace peercall {

const char* to_string(WindowAction action) {
  switch (action) {
    case WindowAction::kNone: return "none";
    case WindowAction::kHangUp: return "hang up";
    case WindowAction::kToggleStats: return "stats";
    case WindowAction::kToggleMute: return "mute";
    case WindowAction::kToggleCamera: return "camera";
    case WindowAction::kToggleFullscreen: return "full screen";
    case WindowAction::kSwapPictures: return "swap";
    case WindowAction::kToggleHelp: return "help";
    case WindowAction::kChatLine: return "chat line";
  }
  return "?";
}

std::string_view window_key_help() {
  return "Esc, q, Enter   hang up\n"
         "m               mute / unmute the microphone\n"
         "v               camera off / on\n"
         "s               stats\n"
         "f               full screen\n"
         "w               swap the big and the small picture\n"
         "p               present: share the screen / back to the camera\n"
         "Tab, c, /       write a chat line (Enter sends, Esc cancels)\n"
         "a / d           accept / decline an incoming call\n"
         "?               this help (Esc closes it)";
}

WindowKeys::Outcome WindowKeys::on_key_down(SDL_Keycode sym, Uint16 mod, bool repeat) {
  if (typing_) return on_typing_key(sym);
  skip_text_ = 0;
  if (repeat) return {};  // a held key is one command
  if (mod & (KMOD_CTRL | KMOD_ALT | KMOD_GUI)) return {};  // shortcuts of the desktop, not ours
  const bool shift = mod & KMOD_SHIFT;
  if (sym == SDLK_QUESTION || (sym == SDLK_SLASH && shift)) {
    help_visible_ = !help_visible_;
    return {WindowAction::kToggleHelp, 0, true};
  }
  switch (sym) {
    case SDLK_ESCAPE:
    case SDLK_RETURN:
    case SDLK_KP_ENTER:
      // The help box is closed first, as a dialog would be.
      if (help_visible_) {
        help_visible_ = false;
        return {WindowAction::kToggleHelp, 0, true};
      }
      return {WindowAction::kHangUp};
    case SDLK_q: return {WindowAction::kHangUp};
    case SDLK_s: return {WindowAction::kToggleStats, 0, true};
    case SDLK_m: return {WindowAction::kToggleMute};
    case SDLK_v: return {WindowAction::kToggleCamera};
    case SDLK_f: return {WindowAction::kToggleFullscreen, 0, true};
    case SDLK_w: return {WindowAction::kSwapPictures, 0, true};
    case SDLK_TAB: start_typing(0); return {WindowAction::kNone, 0, true};
    case SDLK_c: start_typing('c'); return {WindowAction::kNone, 0, true};
    case SDLK_SLASH: start_typing('/'); return {WindowAction::kNone, 0, true};
    default:
      if (sym >= SDLK_a && sym <= SDLK_z) return {WindowAction::kNone, char(sym), false};
      return {};
  }
}

WindowKeys::Outcome WindowKeys::on_typing_key(SDL_Keycode sym) {
  skip_text_ = 0;  // the opener's text comes before any other key
  switch (sym) {
    case SDLK_ESCAPE:
      stop_typing();
      return {WindowAction::kNone, 0, true};
    case SDLK_RETURN:
    case SDLK_KP_ENTER: {
      std::string line = std::move(draft_);
      stop_typing();
      const bool blank = line.find_first_not_of(" \t") == std::string::npos;
      if (blank) return {WindowAction::kNone, 0, true};
      line_ = std::move(line);
      return {WindowAction::kChatLine, 0, true};
    }
    case SDLK_BACKSPACE:
      if (draft_.empty()) return {};
      // One code point: continuation bytes (10xxxxxx), then its lead byte.
      while (!draft_.empty() && (static_cast<unsigned char>(draft_.back()) & 0xC0) == 0x80) draft_.pop_back();
      if (!draft_.empty()) draft_.pop_back();
      return {WindowAction::kNone, 0, true};
    default:
      return {};  // letters arrive as text events
  }
}

WindowKeys::Outcome WindowKeys::on_text(std::string_view utf8) {
  if (!typing_) return {};
  if (skip_text_ && utf8.size() == 1 && utf8[0] == skip_text_) {
    skip_text_ = 0;
    return {};
  }
  skip_text_ = 0;
  std::string clean;
  for (char c : utf8) {
    if (static_cast<unsigned char>(c) >= 0x20 && c != 0x7f) clean.push_back(c);
  }
  // SDL hands over whole code points per event: all of it fits, or none.
  if (clean.empty() || draft_.size() + clean.size() > kMaxChatBytes) return {};
  draft_ += clean;
  return {WindowAction::kNone, 0, true};
}

std::optional<std::string> WindowKeys::take_line() { return std::exchange(line_, std::nullopt); }

void WindowKeys::start_typing(char opener) {
  typing_ = true;
  typing_changed_ = true;
  skip_text_ = opener;
  draft_.clear();
}

void WindowKeys::stop_typing() {
  typing_ = false;
  typing_changed_ = true;
  skip_text_ = 0;
  draft_.clear();
}

}  // namespace peercall
