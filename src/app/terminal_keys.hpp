#pragma once
// Hang-up keys typed in the terminal: Enter, q or Esc. When stdin is a
// terminal it is switched to unbuffered, silent input (restored on exit), so
// q works without Enter. A pipe works too ("\n" hangs up); end of input is
// ignored (CI and services run with no stdin).
#include <chrono>

namespace peercall {

class TerminalKeys {
 public:
  explicit TerminalKeys(bool enabled);
  ~TerminalKeys();
  TerminalKeys(const TerminalKeys&) = delete;
  TerminalKeys& operator=(const TerminalKeys&) = delete;

  // Waits up to `timeout` for input; true if a hang-up key was typed.
  // Returns at once when there is no input to wait for (see enabled()).
  bool wait_for_hang_up(std::chrono::milliseconds timeout);
  bool enabled() const { return enabled_; }

 private:
  bool enabled_;
  bool raw_ = false;
  unsigned char saved_[64];  // struct termios, kept opaque here
};

}  // namespace peercall
