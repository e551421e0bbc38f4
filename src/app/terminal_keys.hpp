#pragma once
// Keys typed in the terminal. When stdin is a terminal it is switched to
// unbuffered, silent input (restored on exit), so q works without Enter. A
// pipe works too ("\n" hangs up); end of input is ignored (CI and services run
// with no stdin).
//
// Terminals send most special keys as escape sequences (an arrow is
// ESC [ A, F5 is ESC [ 1 5 ~): KeyDecoder reads them whole, so only a lone
// ESC is the Esc key, and nothing else a user presses by accident hangs up.
#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace peercall {

struct Key {
  enum Kind { kChar, kEnter, kEscape, kBackspace, kSpecial /* arrows, function keys, Alt+key: ignored */ };
  Kind kind = kChar;
  char ch = 0;  // kChar: the character
  bool operator==(const Key&) const = default;
};

// Removes the last character (a whole UTF-8 sequence) of a line being typed;
// false if it was empty.
bool erase_last_character(std::string& line);
// Hang-up keys: Enter, q, Q, Esc.
bool is_hang_up_key(const Key& key);
// What the keys do, for `?` and --help (one key per line, indented).
std::string key_help();

// Bytes in, keys out; no I/O. A lone ESC at the end of the bytes may be the
// start of a sequence: it is held until more bytes come or idle() says
// nothing followed.
class KeyDecoder {
 public:
  std::vector<Key> feed(std::string_view bytes);
  // Nothing came for a while: a held ESC is the Esc key.
  std::vector<Key> idle();
  bool holding() const { return state_ != State::kGround; }

 private:
  enum class State { kGround, kEscape, kCsi, kSs3 };
  State state_ = State::kGround;
  size_t sequence_bytes_ = 0;  // a runaway sequence is cut off
};

class TerminalKeys {
 public:
  // Keys other than the hang-up keys and `?` go to `on_key` (true: it took
  // the key), e.g. a/d answering an incoming call.
  using KeyHandler = std::function<bool(char key)>;
  static constexpr std::chrono::milliseconds kEscapeWait{40};

  explicit TerminalKeys(bool enabled, KeyHandler on_key = {});
  ~TerminalKeys();
  TerminalKeys(const TerminalKeys&) = delete;
  TerminalKeys& operator=(const TerminalKeys&) = delete;

  // Waits up to `timeout` for input and returns the keys typed (none on
  // timeout). Returns at once when there is no input to wait for (see enabled()).
  std::vector<Key> read_keys(std::chrono::milliseconds timeout);
  // read_keys, with the keys handled: true if a hang-up key was typed; `?`
  // prints key_help() to stderr; other characters go to the KeyHandler.
  bool wait_for_hang_up(std::chrono::milliseconds timeout);
  bool enabled() const { return enabled_; }
  void set_key_handler(KeyHandler on_key) { on_key_ = std::move(on_key); }
  // c or / starts a chat line (echoed on stderr): Enter hands it to `on_line`,
  // Esc cancels it; meanwhile no key is a command.
  void set_line_handler(std::function<void(std::string)> on_line) { on_line_ = std::move(on_line); }

 private:
  // One read of what is there (after waiting up to timeout); false at the end.
  bool read_some(std::chrono::milliseconds timeout, std::string& out);

  bool enabled_;
  bool raw_ = false;
  unsigned char saved_[64];  // struct termios, kept opaque here
  KeyDecoder decoder_;
  KeyHandler on_key_;
  std::function<void(std::string)> on_line_;
  bool typing_ = false;
  std::string line_;
};

}  // namespace peercall
