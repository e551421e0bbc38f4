#include "app/terminal_keys.hpp"

#include <poll.h>
#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>

namespace peercall {
namespace {

constexpr char kEsc = 27;
constexpr size_t kMaxSequence = 32;  // longer is garbage, not a key

}  // namespace

static_assert(sizeof(termios) <= 64);

bool is_hang_up_key(const Key& key) {
  return key.kind == Key::kEnter || key.kind == Key::kEscape ||
         (key.kind == Key::kChar && (key.ch == 'q' || key.ch == 'Q'));
}

std::string key_help() {
  return "  Enter, q, Esc   hang up (Ctrl-C too; in the window: closing it)\n"
         "  m               mute / unmute the microphone\n"
         "  v               camera off / on\n"
         "  p               present: share the screen / back to the camera\n"
         "  s               the stats overlay (window)\n"
         "  f, w            full screen, swap the pictures (window)\n"
         "  c or /          write a chat line (Enter sends, Backspace deletes, Esc cancels; window: Tab too)\n"
         "  a or y          accept an incoming call (--accept ask)\n"
         "  d or n          decline it\n"
         "  ?               this list\n";
}

bool erase_last_character(std::string& line) {
  if (line.empty()) return false;
  // Continuation bytes (10xxxxxx) belong to the character that starts before them.
  while (line.size() > 1 && (static_cast<unsigned char>(line.back()) & 0xc0) == 0x80) line.pop_back();
  line.pop_back();
  return true;
}

std::vector<Key> KeyDecoder::feed(std::string_view bytes) {
  std::vector<Key> keys;
  for (char c : bytes) {
    switch (state_) {
      case State::kGround:
        if (c == kEsc) {
          state_ = State::kEscape;
        } else if (c == '\n' || c == '\r') {
          keys.push_back({Key::kEnter});
        } else if (c == 0x7f || c == 0x08) {  // DEL (most terminals) or ^H
          keys.push_back({Key::kBackspace});
        } else if (static_cast<unsigned char>(c) >= 0x20) {
          keys.push_back({Key::kChar, c});
        }  // other control characters: nothing
        break;
      case State::kEscape:
        sequence_bytes_ = 0;
        if (c == '[') {
          state_ = State::kCsi;
        } else if (c == 'O') {
          state_ = State::kSs3;
        } else if (c == kEsc) {
          keys.push_back({Key::kEscape});  // Esc pressed, and another ESC starts
        } else {
          keys.push_back({Key::kSpecial});  // Alt+key
          state_ = State::kGround;
        }
        break;
      case State::kCsi:
        // Parameters and intermediates (0x20-0x3F) until a final byte (0x40-0x7E).
        if (c >= 0x40 && c <= 0x7e) {
          keys.push_back({Key::kSpecial});
          state_ = State::kGround;
        } else if (++sequence_bytes_ > kMaxSequence || c < 0x20) {
          state_ = State::kGround;
        }
        break;
      case State::kSs3:  // ESC O P (F1), ESC O A (an arrow in application mode)
        keys.push_back({Key::kSpecial});
        state_ = State::kGround;
        break;
    }
  }
  return keys;
}

std::vector<Key> KeyDecoder::idle() {
  const bool lone_escape = state_ == State::kEscape;
  state_ = State::kGround;
  if (lone_escape) return {{Key::kEscape}};
  return {};  // an unfinished sequence: nothing a user meant
}

TerminalKeys::TerminalKeys(bool enabled, KeyHandler on_key) : enabled_(enabled), on_key_(std::move(on_key)) {
  if (!enabled_ || !isatty(STDIN_FILENO)) return;
  termios t{};
  if (tcgetattr(STDIN_FILENO, &t) != 0) return;
  std::memcpy(saved_, &t, sizeof t);
  t.c_lflag &= ~(ICANON | ECHO);
  t.c_cc[VMIN] = 0;
  t.c_cc[VTIME] = 0;
  raw_ = tcsetattr(STDIN_FILENO, TCSANOW, &t) == 0;
}

TerminalKeys::~TerminalKeys() {
  if (!raw_) return;
  termios t{};
  std::memcpy(&t, saved_, sizeof t);
  tcsetattr(STDIN_FILENO, TCSANOW, &t);
}

bool TerminalKeys::read_some(std::chrono::milliseconds timeout, std::string& out) {
  pollfd pfd{STDIN_FILENO, POLLIN, 0};
  if (poll(&pfd, 1, static_cast<int>(timeout.count())) <= 0) return true;
  if (pfd.revents & (POLLHUP | POLLERR | POLLNVAL) && !(pfd.revents & POLLIN)) return false;
  char buf[64];
  const ssize_t n = read(STDIN_FILENO, buf, sizeof buf);
  if (n <= 0) return false;  // end of input: nobody will type
  out.append(buf, size_t(n));
  return true;
}

std::vector<Key> TerminalKeys::read_keys(std::chrono::milliseconds timeout) {
  if (!enabled_) return {};
  std::string bytes;
  if (!read_some(timeout, bytes)) enabled_ = false;
  std::vector<Key> keys = decoder_.feed(bytes);
  // An ESC at the end: the rest of its sequence follows at once, or it was Esc.
  for (int i = 0; enabled_ && decoder_.holding() && i < 4; ++i) {
    std::string more;
    if (!read_some(kEscapeWait, more)) enabled_ = false;
    if (more.empty()) break;
    for (const Key& k : decoder_.feed(more)) keys.push_back(k);
  }
  if (decoder_.holding()) {
    for (const Key& k : decoder_.idle()) keys.push_back(k);
  }
  return keys;
}

bool TerminalKeys::wait_for_hang_up(std::chrono::milliseconds timeout) {
  bool hang_up = false;
  for (const Key& key : read_keys(timeout)) {
    if (typing_) {
      if (key.kind == Key::kEnter) {
        typing_ = false;
        std::fputc('\n', stderr);
        const size_t first = line_.find_first_not_of(' ');
        if (first != std::string::npos) on_line_(line_.substr(first));
      } else if (key.kind == Key::kEscape) {
        typing_ = false;
        std::fputs(" (not sent)\n", stderr);
      } else if (key.kind == Key::kBackspace) {
        if (erase_last_character(line_)) std::fputs("\b \b", stderr);
      } else if (key.kind == Key::kChar && line_.size() < 500) {
        line_ += key.ch;
        std::fputc(key.ch, stderr);
      }
      std::fflush(stderr);
      continue;
    }
    if (key.kind == Key::kChar && (key.ch == 'c' || key.ch == '/') && on_line_) {
      typing_ = true;
      line_.clear();
      std::fputs("\nchat> ", stderr);
      std::fflush(stderr);
      continue;
    }
    if (key.kind == Key::kChar && on_key_ && on_key_(key.ch)) continue;
    if (is_hang_up_key(key)) {
      hang_up = true;
    } else if (key.kind == Key::kChar && key.ch == '?') {
      std::fprintf(stderr, "\nkeys:\n%s", key_help().c_str());
    }
  }
  return hang_up;
}

}  // namespace peercall
