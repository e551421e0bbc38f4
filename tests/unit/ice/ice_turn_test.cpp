// Relayed candidates through a real coturn on 127.0.0.1 (skipped without it).
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "ice_test_support.hpp"
#include "net/ice/ice_candidate.hpp"

namespace peercall {
namespace {

constexpr const char* kTurnServer = "/usr/bin/turnserver";

// A port free for both UDP and TCP on 127.0.0.1 right now.
uint16_t free_port() {
  asio::io_context io;
  for (int attempt = 0; attempt < 20; ++attempt) {
    asio::ip::udp::socket udp(io, asio::ip::udp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    uint16_t port = udp.local_endpoint().port();
    asio::ip::tcp::acceptor tcp(io);
    boost::system::error_code ec;
    tcp.open(asio::ip::tcp::v4(), ec);
    tcp.bind(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), ec);
    if (!ec) return port;
  }
  return 0;
}

// coturn as a child process; its log is read from a pipe so the test can wait
// for "ready" instead of sleeping, and kept for failure messages.
class Coturn {
 public:
  bool start() {
    port_ = free_port();
    if (port_ == 0) return false;
    dir_ = std::filesystem::temp_directory_path() / ("peercall-ice-turn-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir_);
    int fds[2];
    if (pipe(fds) != 0) return false;
    pid_ = fork();
    if (pid_ == 0) {
      dup2(fds[1], 1);
      dup2(fds[1], 2);
      close(fds[0]);
      close(fds[1]);
      const std::string port = "--listening-port=" + std::to_string(port_);
      const std::string pidfile = "--pidfile=" + (dir_ / "turnserver.pid").string();
      const std::string userdb = "--userdb=" + (dir_ / "turndb").string();
      execl(kTurnServer, kTurnServer, "-n", "--listening-ip=127.0.0.1", "--relay-ip=127.0.0.1",
            port.c_str(), "--user=u:p", "--realm=peercall", "--lt-cred-mech", "--no-tls",
            "--no-dtls", "--verbose", "--log-file=stdout", "--simple-log", "--allow-loopback-peers", "--no-cli",
            "--min-port=49152", "--max-port=65535", pidfile.c_str(), userdb.c_str(), nullptr);
      _exit(127);
    }
    close(fds[1]);
    out_ = fds[0];
    // Ready once it has created its servers (listeners are bound before that line).
    const Instant deadline = Clock::now() + seconds(10);
    std::string pending;
    while (Clock::now() < deadline) {
      pollfd p{out_, POLLIN, 0};
      int left = int(std::chrono::duration_cast<milliseconds>(deadline - Clock::now()).count());
      if (poll(&p, 1, std::max(left, 1)) <= 0) break;
      char buf[4096];
      ssize_t n = read(out_, buf, sizeof buf);
      if (n <= 0) break;
      log_.append(buf, size_t(n));
      if (log_.find("Total General servers") != std::string::npos) {
        drain_ = std::thread([this] {  // keep the pipe from filling up, and the log
          char b[4096];
          ssize_t got;
          while ((got = read(out_, b, sizeof b)) > 0) {
            std::lock_guard lock(mutex_);
            log_.append(b, size_t(got));
            grew_.notify_all();
          }
        });
        return true;
      }
    }
    return false;
  }
  ~Coturn() {
    if (pid_ > 0) {
      // Wait for the exit on a pidfd (an event, not a sleep); SIGKILL after 5 s.
      int pidfd = int(syscall(SYS_pidfd_open, pid_, 0));
      kill(pid_, SIGTERM);
      pollfd exited{pidfd, POLLIN, 0};
      if (pidfd < 0 || poll(&exited, 1, 5000) <= 0) kill(pid_, SIGKILL);
      if (pidfd >= 0) close(pidfd);
      int status = 0;
      waitpid(pid_, &status, 0);
    }
    if (drain_.joinable()) drain_.join();
    if (out_ >= 0) close(out_);
    std::error_code ignored;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ignored);
  }
  uint16_t port() const { return port_; }
  // Waits until `text` occurs `count` times in the log, at most `limit`.
  bool wait_for_log(const std::string& text, int count, Duration limit) {
    std::unique_lock lock(mutex_);
    return grew_.wait_for(lock, limit, [&] {
      int found = 0;
      for (size_t at = log_.find(text); at != std::string::npos; at = log_.find(text, at + 1)) ++found;
      return found >= count;
    });
  }
  std::string log() const {
    std::lock_guard lock(mutex_);
    return log_;
  }

 private:
  pid_t pid_ = -1;
  int out_ = -1;
  uint16_t port_ = 0;
  std::filesystem::path dir_;
  mutable std::mutex mutex_;
  std::condition_variable grew_;
  std::string log_;
  std::thread drain_;
};

class IceTurnTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (access(kTurnServer, X_OK) != 0) GTEST_SKIP() << kTurnServer << " (coturn) is not installed";
    ASSERT_TRUE(turn.start()) << "coturn did not start:\n" << turn.log();
  }

  IceConfig relay_config(bool controlling, bool tcp) {
    IceConfig config = test::loopback_config(controlling);
    config.relay_only = true;
    config.turn.push_back(TurnServer{"127.0.0.1", turn.port(), "u", "p", tcp});
    return config;
  }

  void connect_through_relay(bool tcp) {
    test::Peer a, b;
    ASSERT_NO_FATAL_FAILURE(test::open_peer(a, glib, io, relay_config(true, tcp)));
    ASSERT_NO_FATAL_FAILURE(test::open_peer(b, glib, io, relay_config(false, tcp)));
    ASSERT_NO_FATAL_FAILURE(test::connect_peers(io, a, b));
    for (const auto& text : a.agent->local_candidates()) {
      auto line = parse_candidate_line(text);
      ASSERT_TRUE(line.ok()) << text;
      EXPECT_EQ(line->type, "relay") << text;
      EXPECT_EQ(line->address, "127.0.0.1") << text;
    }
    ASSERT_TRUE(test::run_until(io, [&] {
      return !a.agent->selected_pair().empty() && !b.agent->selected_pair().empty();
    }));
    EXPECT_NE(a.agent->selected_pair().find("(relay) ->"), std::string::npos) << a.agent->selected_pair();
    EXPECT_NE(b.agent->selected_pair().find("(relay) ->"), std::string::npos) << b.agent->selected_pair();
    ASSERT_NO_FATAL_FAILURE(test::exchange(io, a, b, 100));
    ASSERT_NO_FATAL_FAILURE(test::exchange(io, b, a, 100));

    // Closing frees both allocations on the server (a TURN refresh with lifetime 0).
    a.agent.reset();
    b.agent.reset();
    glib.stop();  // waits for the asynchronous closes
    EXPECT_TRUE(turn.wait_for_log("lifetime=0", 2, seconds(3))) << turn.log();
  }

  Coturn turn;  // declared first: outlives the agents, which free their allocations on close
  GlibLoopThread glib;
  asio::io_context io;
  asio::executor_work_guard<asio::io_context::executor_type> work = asio::make_work_guard(io);
};

TEST_F(IceTurnTest, ConnectsThroughTurnOverUdp) { connect_through_relay(false); }

TEST_F(IceTurnTest, ConnectsThroughTurnOverTcp) { connect_through_relay(true); }

TEST_F(IceTurnTest, GathersWithAStunServer) {
  IceConfig config = test::loopback_config(true);
  config.stun = std::make_pair(std::string("127.0.0.1"), turn.port());
  test::Peer a;
  ASSERT_NO_FATAL_FAILURE(test::open_peer(a, glib, io, config));
  ASSERT_TRUE(a.agent->gather().ok());
  // The reflexive address equals the host one on loopback, so libnice drops it
  // as redundant; what counts is that the binding round trip completes.
  ASSERT_TRUE(test::run_until(io, [&] { return a.gathered; }));
  EXPECT_FALSE(a.agent->local_candidates().empty());
}

}  // namespace
}  // namespace peercall
