#include "app/demo.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "app/exit_codes.hpp"
#include "app/terminal_keys.hpp"
#include "identity/invitation.hpp"

namespace peercall {
namespace {

// A TCP port the kernel says is free right now (and, in practice, for the
// next moment, which is all the demo needs).
uint16_t free_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  uint16_t port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0)
    port = ntohs(a.sin_port);
  close(fd);
  return port;
}

bool accepting(uint16_t port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(port);
  const bool ok = connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  close(fd);
  return ok;
}

std::vector<std::string> media_args(const MediaOptions& o) {
  std::vector<std::string> a = {"--video", o.video, "--audio", o.audio,
                                "--size", std::to_string(o.width) + "x" + std::to_string(o.height),
                                "--fps", std::to_string(o.fps),
                                "--bitrate", std::to_string(o.bitrate_kbps),
                                "--view", o.view};
  if (o.loop) a.push_back("--loop");
  if (o.quiet) a.push_back("--quiet");
  return a;
}

pid_t spawn(const char* exe, std::vector<std::string> args) {
  const pid_t pid = fork();
  if (pid != 0) return pid;
  // The demo reads the keys; the peers must not compete for them.
  int devnull = open("/dev/null", O_RDONLY);
  if (devnull >= 0) dup2(devnull, STDIN_FILENO);
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(exe));
  for (auto& s : args) argv.push_back(s.data());
  argv.push_back(nullptr);
  execv(exe, argv.data());
  std::perror("peercall demo: exec");
  _exit(127);
}

int exit_status(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return to_int(ExitCode::kError);
}

}  // namespace

int run_demo(const MediaOptions& o) {
  const std::string exe = "/proc/self/exe";  // this very binary, wherever it was started from
  const uint16_t port = free_port();
  if (port == 0) {
    std::fprintf(stderr, "peercall: demo: no free local port\n");
    return to_int(ExitCode::kError);
  }
  std::fprintf(stderr,
               "peercall demo: a call between two peers on this machine (port %u), on a test\n"
               "pattern and tone. Hang up with Enter, q, Esc or Ctrl-C.\n",
               port);
  // Ctrl-C reaches the whole process group: the peers hang up, we wait for them.
  signal(SIGINT, SIG_IGN);
  signal(SIGTERM, SIG_IGN);

  // The two peers are strangers to each other, so the listener invites the caller.
  const std::string code = new_invitation_code();
  auto listener_args = std::vector<std::string>{"listen", "--port", std::to_string(port), "--invite", code,
                                                "--bind", "127.0.0.1", "--label", "listener",
                                                "--speaker", "none"};
  auto media = media_args(o);
  listener_args.insert(listener_args.end(), media.begin(), media.end());
  if (!o.stats_file.empty()) listener_args.insert(listener_args.end(), {"--stats", o.stats_file});
  const pid_t listener = spawn(exe.c_str(), listener_args);

  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!accepting(port) && std::chrono::steady_clock::now() < deadline) {
    int status;
    if (waitpid(listener, &status, WNOHANG) == listener) return exit_status(status);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }

  auto caller_args = std::vector<std::string>{"call", "127.0.0.1:" + std::to_string(port) + "/" + code,
                                              "--label", "caller"};
  caller_args.insert(caller_args.end(), media.begin(), media.end());
  if (o.duration_s > 0) caller_args.insert(caller_args.end(), {"--duration", std::to_string(o.duration_s)});
  if (!o.record.empty()) caller_args.insert(caller_args.end(), {"--record", o.record});
  if (!o.video_out.empty()) caller_args.insert(caller_args.end(), {"--video-out", o.video_out});
  if (!o.audio_out.empty()) caller_args.insert(caller_args.end(), {"--audio-out", o.audio_out});
  if (o.speaker != "default") caller_args.insert(caller_args.end(), {"--speaker", o.speaker});
  if (o.speaker_delay_ms > 0)
    caller_args.insert(caller_args.end(), {"--speaker-delay", std::to_string(o.speaker_delay_ms)});
  const pid_t caller = spawn(exe.c_str(), caller_args);

  TerminalKeys keys(true);
  int caller_status = -1, listener_status = -1;
  while (caller_status < 0 || listener_status < 0) {
    if (keys.wait_for_hang_up(std::chrono::milliseconds(100))) kill(caller, SIGTERM);
    if (!keys.enabled()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    int status;
    if (caller_status < 0 && waitpid(caller, &status, WNOHANG) == caller) caller_status = exit_status(status);
    if (listener_status < 0 && waitpid(listener, &status, WNOHANG) == listener)
      listener_status = exit_status(status);
  }
  return caller_status != 0 ? caller_status : listener_status;
}

}  // namespace peercall
