#include "app/terminal_keys.hpp"

#include <poll.h>
#include <termios.h>
#include <unistd.h>

#include <cstring>

namespace peercall {

static_assert(sizeof(termios) <= 64);

TerminalKeys::TerminalKeys(bool enabled) : enabled_(enabled) {
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

bool TerminalKeys::wait_for_hang_up(std::chrono::milliseconds timeout) {
  if (!enabled_) return false;
  pollfd pfd{STDIN_FILENO, POLLIN, 0};
  if (poll(&pfd, 1, static_cast<int>(timeout.count())) <= 0) return false;
  if (pfd.revents & (POLLHUP | POLLERR | POLLNVAL) && !(pfd.revents & POLLIN)) {
    enabled_ = false;  // no more input will come
    return false;
  }
  char buf[64];
  const ssize_t n = read(STDIN_FILENO, buf, sizeof buf);
  if (n <= 0) {
    enabled_ = false;  // end of input: nobody will type
    return false;
  }
  for (ssize_t i = 0; i < n; ++i)
    if (buf[i] == '\n' || buf[i] == '\r' || buf[i] == 'q' || buf[i] == 'Q' || buf[i] == 27)
      return true;
  return false;
}

}  // namespace peercall
