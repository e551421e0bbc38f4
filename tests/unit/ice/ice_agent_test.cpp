// Two real libnice agents on 127.0.0.1.
#include "net/ice/ice_agent.hpp"

#include <gtest/gtest.h>

#include "ice_test_support.hpp"
#include "net/ice/ice_candidate.hpp"

namespace peercall {
namespace {

using test::Peer;
using test::run_until;

class IceAgentTest : public ::testing::Test {
 protected:
  GlibLoopThread glib;
  asio::io_context io;
  asio::executor_work_guard<asio::io_context::executor_type> work = asio::make_work_guard(io);
  Peer a, b;  // a offers and controls

  void SetUp() override {
    test::open_peer(a, glib, io, test::loopback_config(true));
    test::open_peer(b, glib, io, test::loopback_config(false));
  }
  void TearDown() override {
    a.agent.reset();
    b.agent.reset();
  }
};

TEST_F(IceAgentTest, ConnectsAndExchangesDatagramsBothWays) {
  ASSERT_NO_FATAL_FAILURE(test::connect_peers(io, a, b));
  EXPECT_TRUE(a.has_state(IceState::kGathering));
  EXPECT_TRUE(a.has_state(IceState::kChecking));
  EXPECT_EQ(a.states.back(), IceState::kConnected);
  EXPECT_EQ(b.states.back(), IceState::kConnected);

  ASSERT_NO_FATAL_FAILURE(test::exchange(io, a, b, 100));
  ASSERT_NO_FATAL_FAILURE(test::exchange(io, b, a, 100));
  EXPECT_EQ(a.agent->stats().sent, 100u);
  EXPECT_EQ(b.agent->stats().received, 100u);
  EXPECT_EQ(b.agent->stats().sent, 100u);
  EXPECT_EQ(a.agent->stats().received, 100u);
  EXPECT_EQ(a.agent->stats().send_dropped, 0u);

  ASSERT_TRUE(run_until(io, [&] { return !a.agent->selected_pair().empty(); }));
  const std::string pair = a.agent->selected_pair();
  EXPECT_NE(pair.find("127.0.0.1:"), std::string::npos) << pair;
  EXPECT_NE(pair.find("(host) -> 127.0.0.1:"), std::string::npos) << pair;
}

TEST_F(IceAgentTest, SendBeforeConnectedIsDroppedAndCounted) {
  a.agent->send(test::numbered(1));
  ASSERT_TRUE(a.agent->gather().ok());
  a.agent->send(test::numbered(2));
  ASSERT_TRUE(run_until(io, [&] { return a.gathered; }));
  a.agent->send(test::numbered(3));
  EXPECT_EQ(a.agent->stats().send_dropped, 3u);
  EXPECT_EQ(a.agent->stats().sent, 0u);
  EXPECT_NE(a.agent->state(), IceState::kConnected);
}

TEST_F(IceAgentTest, BadRemoteCandidatesAreSkippedAndCounted) {
  ASSERT_TRUE(a.agent->gather().ok());
  ASSERT_TRUE(b.agent->gather().ok());
  ASSERT_TRUE(run_until(io, [&] { return a.gathered && b.gathered; }));

  const std::vector<std::string> garbage = {
      "candidate:",
      "candidate:1 1 UDP",
      "candidate:1 1 UDP 2015363327 not-an-address 40000 typ host",
      "candidate:1 1 UDP 2015363327 abcd.local 40000 typ host",   // mDNS name
      "candidate:1 1 SCTP 2015363327 127.0.0.1 40000 typ host",
      "candidate:1 1 UDP 2015363327 127.0.0.1 99999 typ host",
      "candidate:1 1 UDP 2015363327 127.0.0.1 40000 typ weird",
      "candidate:1 2 UDP 2015363327 127.0.0.1 40000 typ host",    // RTCP: we mux
      "candidate:1 1 TCP 2015363327 127.0.0.1 9 typ host tcptype active",  // no ICE-TCP
      "candidate:1 1 UDP 2015363327 127.0.0.1 40000 typ host raddr",
      "nonsense",
      std::string(5000, 'x'),
  };
  auto rejected = a.agent->set_remote(b.agent->local_credentials(), garbage);
  EXPECT_FALSE(rejected.ok());
  EXPECT_EQ(a.agent->stats().remote_candidates_skipped, garbage.size());
  EXPECT_NE(rejected.error().find("no usable remote candidate"), std::string::npos) << rejected.error();

  // Garbage mixed with the real lines: the real ones are used and the call connects.
  std::vector<std::string> mixed = garbage;
  for (const auto& line : b.agent->local_candidates()) mixed.push_back("a=" + line + "\r");
  mixed.push_back("end-of-candidates");
  ASSERT_TRUE(a.agent->set_remote(b.agent->local_credentials(), mixed).ok());
  EXPECT_EQ(a.agent->stats().remote_candidates_skipped, 2 * garbage.size());
  ASSERT_TRUE(b.agent->set_remote(a.agent->local_credentials(), a.agent->local_candidates()).ok());
  EXPECT_TRUE(run_until(io, [&] {
    return a.agent->state() == IceState::kConnected && b.agent->state() == IceState::kConnected;
  }));

  EXPECT_FALSE(a.agent->set_remote({"ab", "short"}, b.agent->local_candidates()).ok());
}

TEST_F(IceAgentTest, BindAddressYieldsOnlyThatAddress) {
  ASSERT_TRUE(a.agent->gather().ok());
  ASSERT_TRUE(run_until(io, [&] { return a.gathered; }));
  auto lines = a.agent->local_candidates();
  ASSERT_FALSE(lines.empty());
  for (const auto& text : lines) {
    auto line = parse_candidate_line(text);
    ASSERT_TRUE(line.ok()) << text << ": " << line.error();
    EXPECT_EQ(line->address, "127.0.0.1") << text;
    EXPECT_EQ(line->type, "host") << text;
    EXPECT_EQ(line->component, 1u) << text;
    EXPECT_FALSE(line->tcp) << text;
    EXPECT_EQ(text.rfind("candidate:", 0), 0u) << text;
  }
  auto credentials = a.agent->local_credentials();
  EXPECT_GE(credentials.ufrag.size(), 4u);
  EXPECT_GE(credentials.pwd.size(), 22u);
}

TEST_F(IceAgentTest, PortRangePinsTheHostPort) {
  IceConfig config = test::loopback_config(true);
  asio::ip::udp::socket probe(io, asio::ip::udp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  const uint16_t port = probe.local_endpoint().port();
  probe.close();
  config.min_port = config.max_port = port;
  Peer c;
  ASSERT_NO_FATAL_FAILURE(test::open_peer(c, glib, io, config));
  ASSERT_TRUE(c.agent->gather().ok());
  ASSERT_TRUE(run_until(io, [&] { return c.gathered; }));
  auto lines = c.agent->local_candidates();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(parse_candidate_line(lines[0])->port, port) << lines[0];
}

TEST_F(IceAgentTest, PeerThatVanishesIsReportedFailedWithinConsentTimeout) {
  a.agent.reset();
  IceConfig config = test::loopback_config(true);
  config.consent_timeout = milliseconds(1000);
  ASSERT_NO_FATAL_FAILURE(test::open_peer(a, glib, io, config));
  ASSERT_NO_FATAL_FAILURE(test::connect_peers(io, a, b));
  ASSERT_NO_FATAL_FAILURE(test::exchange(io, b, a, 10));

  // Keep a busy on its side, as a call would, while b is gone.
  const Instant gone = Clock::now();
  b.agent.reset();
  EXPECT_TRUE(run_until(io, [&] {
    a.agent->send(test::numbered(0));
    return a.agent->state() == IceState::kFailed;
  }, seconds(5)));
  const Duration took = Clock::now() - gone;
  EXPECT_GE(took, milliseconds(700)) << "failed too early: " << to_seconds(took) << " s";
  EXPECT_LE(took, milliseconds(1800)) << "failed too late: " << to_seconds(took) << " s";
  EXPECT_EQ(a.states.back(), IceState::kFailed);

  // Failed is final: sends are dropped from now on.
  const uint64_t dropped = a.agent->stats().send_dropped;
  a.agent->send(test::numbered(1));
  EXPECT_EQ(a.agent->stats().send_dropped, dropped + 1);
}

TEST_F(IceAgentTest, TrafficKeepsAConnectedPeerAlive) {
  a.agent.reset();
  IceConfig config = test::loopback_config(true);
  config.consent_timeout = milliseconds(500);
  ASSERT_NO_FATAL_FAILURE(test::open_peer(a, glib, io, config));
  ASSERT_NO_FATAL_FAILURE(test::connect_peers(io, a, b));
  // 1.5 s (three timeouts) of b sending every ~20 ms: a must stay connected.
  const Instant until = Clock::now() + milliseconds(1500);
  asio::steady_timer tick(io);
  std::function<void()> send_next = [&] {
    if (b.agent) b.agent->send(test::numbered(7));
    tick.expires_after(milliseconds(20));
    tick.async_wait([&](const boost::system::error_code& ec) { if (!ec) send_next(); });
  };
  send_next();
  run_until(io, [&] { return Clock::now() >= until || a.agent->state() != IceState::kConnected; });
  tick.cancel();
  EXPECT_EQ(a.agent->state(), IceState::kConnected);
  EXPECT_GT(a.agent->stats().received, 40u);
}

TEST_F(IceAgentTest, NoCallbackAfterDestruction) {
  ASSERT_NO_FATAL_FAILURE(test::connect_peers(io, a, b));
  // Datagrams land on b's GLib thread and are posted; b dies before they run.
  for (uint32_t n = 0; n < 50; ++n) a.agent->send(test::numbered(n));
  const uint64_t sent = a.agent->stats().sent;
  ASSERT_EQ(sent, 50u);
  const size_t seen = b.received.size();
  b.agent.reset();
  io.poll();
  EXPECT_EQ(b.received.size(), seen);
  // What was posted for b's dead agent ran and did nothing; a is still fine.
  EXPECT_EQ(a.agent->state(), IceState::kConnected);
}

TEST(IceAgentIpv6, ConnectsOnIpv6Loopback) {
  GlibLoopThread glib;
  asio::io_context io;
  auto work = asio::make_work_guard(io);
  {
    boost::system::error_code ec;
    asio::ip::udp::socket probe(io);
    probe.open(asio::ip::udp::v6(), ec);
    if (!ec) probe.bind(asio::ip::udp::endpoint(asio::ip::make_address("::1"), 0), ec);
    if (ec) GTEST_SKIP() << "no ::1 here: " << ec.message();
  }
  Peer a, b;
  IceConfig config = test::loopback_config(true);
  config.bind_address = "::1";
  ASSERT_NO_FATAL_FAILURE(test::open_peer(a, glib, io, config));
  config.controlling = false;
  ASSERT_NO_FATAL_FAILURE(test::open_peer(b, glib, io, config));
  ASSERT_NO_FATAL_FAILURE(test::connect_peers(io, a, b));
  ASSERT_NO_FATAL_FAILURE(test::exchange(io, a, b, 20));
  ASSERT_TRUE(run_until(io, [&] { return !a.agent->selected_pair().empty(); }));
  EXPECT_EQ(a.agent->selected_pair().rfind("[::1]:", 0), 0u) << a.agent->selected_pair();
}

TEST(IceAgentCreate, RejectsBadConfiguration) {
  GlibLoopThread glib;
  asio::io_context io;
  IceConfig config;
  config.bind_address = "not-an-ip";
  EXPECT_FALSE(IceAgent::create(glib, io, config, {}).ok());
  config.bind_address = "127.0.0.1";
  config.relay_only = true;
  EXPECT_FALSE(IceAgent::create(glib, io, config, {}).ok());
}

TEST(GlibLoopThread, RunsOnItsThreadAndStopsTwice) {
  GlibLoopThread glib;
  bool on_thread = false;
  glib.run_sync([&] { on_thread = glib.on_loop_thread(); });
  EXPECT_TRUE(on_thread);
  EXPECT_FALSE(glib.on_loop_thread());
  glib.stop();
  glib.stop();
  bool ran = false;
  glib.run_sync([&] { ran = true; });  // after stop: runs here
  EXPECT_TRUE(ran);
}

}  // namespace
}  // namespace peercall
