// What misbehaving peers cannot do to the server: hold it with slow or idle
// connections, send too much, or break it with garbage. Small deadlines.
#include "signalling_test_support.hpp"

using namespace peercall;
using namespace peercall::test;

namespace {

class SignallingLimitsTest : public SignallingFixture {
 protected:
  static SignallingLimits fast(std::chrono::milliseconds connection, std::chrono::milliseconds request) {
    SignallingLimits limits;
    limits.connection_deadline = connection;
    limits.request_deadline = request;
    return limits;
  }
  void expect_call_works(const std::string& why) {
    auto client = SignallingClient::connect("127.0.0.1", port_, 2s);
    ASSERT_TRUE(client.ok()) << why << ": " << client.error();
    auto answer = (*client)->post_offer("/whip", "v=0", "", 2s);
    ASSERT_TRUE(answer.ok()) << why << ": " << answer.error();
    EXPECT_EQ(answer->status, 201) << why;
  }
};

using Clock = std::chrono::steady_clock;

}  // namespace

TEST_F(SignallingLimitsTest, SlowlorisIsDroppedByTheRequestDeadline) {
  start(fast(5s, 200ms));
  TlsPeer peer(port_);
  ASSERT_TRUE(peer.handshake());
  const std::string request = "POST /whip HTTP/1.1\r\nHost: x\r\nContent-Type: application/sdp\r\n";
  auto began = Clock::now();
  size_t sent = 0;
  for (; sent < request.size(); ++sent) {  // a byte every 20 ms: the whole header would take over 1 s
    if (!peer.send(request.substr(sent, 1), 1s)) break;
    if (peer.read(20ms).closed) break;
  }
  EXPECT_LT(sent, request.size()) << "still accepted bytes after " << request.size() * 20 << " ms";
  auto dropped_after = Clock::now() - began;
  EXPECT_LT(dropped_after, 1s);
  EXPECT_TRUE(wait_until([&] { return server_->stats().timeouts == 1; }));
  expect_call_works("after the slowloris");
}

TEST_F(SignallingLimitsTest, KeepAliveCannotRenewTheConnectionDeadline) {
  start(fast(600ms, 400ms));
  TlsPeer peer(port_);
  ASSERT_TRUE(peer.handshake());
  auto began = Clock::now();
  int answered = 0;
  bool closed = false;
  while (Clock::now() - began < 3s) {  // each request well within the request deadline
    if (!peer.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n", 1s)) {
      closed = true;
      break;
    }
    auto read = peer.read(1s, has_full_response);
    if (read.data.find("200 OK") != std::string::npos) ++answered;
    if (read.closed || read.data.empty()) {
      closed = true;
      break;
    }
    peer.read(50ms);  // idle a little between requests
  }
  EXPECT_TRUE(closed);
  EXPECT_GE(answered, 2);
  EXPECT_LT(Clock::now() - began, 1500ms) << "answered " << answered << " requests";
}

TEST_F(SignallingLimitsTest, IdleConnectionIsDroppedAtItsDeadline) {
  start(fast(300ms, 200ms));
  TlsPeer peer(port_);
  ASSERT_TRUE(peer.handshake());
  auto read = peer.read(3s);
  EXPECT_TRUE(read.closed);
  EXPECT_TRUE(wait_until([&] { return server_->connection_count() == 0; }));
}

TEST_F(SignallingLimitsTest, OversizedHeaderGets431) {
  start();
  TlsPeer peer(port_);
  ASSERT_TRUE(peer.handshake());
  peer.send("GET / HTTP/1.1\r\nHost: x\r\nX-Filler: " + std::string(9000, 'a') + "\r\n\r\n");
  auto read = peer.read(5s);
  EXPECT_TRUE(read.closed);
  EXPECT_EQ(read.data.rfind("HTTP/1.1 431 Request Header Fields Too Large\r\n", 0), 0u) << read.data.substr(0, 200);
  EXPECT_NE(read.data.find("Connection: close"), std::string::npos);
  EXPECT_EQ(server_->stats().oversized, 1u);
}

TEST_F(SignallingLimitsTest, OversizedBodyGets413BeforeItIsSent) {
  start();
  TlsPeer peer(port_);
  ASSERT_TRUE(peer.handshake());
  peer.send("POST /whip HTTP/1.1\r\nHost: x\r\nContent-Type: application/sdp\r\nContent-Length: 100000\r\n\r\n");
  auto read = peer.read(5s);
  EXPECT_TRUE(read.closed);
  EXPECT_EQ(read.data.rfind("HTTP/1.1 413 Payload Too Large\r\n", 0), 0u) << read.data;
  std::lock_guard lock(mu_);
  EXPECT_TRUE(offers_.empty());
}

TEST_F(SignallingLimitsTest, BadRequestGets400AndClose) {
  start();
  TlsPeer peer(port_);
  ASSERT_TRUE(peer.handshake());
  peer.send("POST /whip HTTP/1.1\r\nContent-Length: 12abc\r\n\r\n");
  auto read = peer.read(5s);
  EXPECT_TRUE(read.closed);
  EXPECT_EQ(read.data.rfind("HTTP/1.1 400 Bad Request\r\n", 0), 0u) << read.data;
}

TEST_F(SignallingLimitsTest, GarbageAndPlainHttpDoNotHurt) {
  start();
  {
    RawPeer plain(port_);
    ASSERT_TRUE(plain.connected());
    plain.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    EXPECT_TRUE(plain.read(5s).closed);
  }
  {
    RawPeer garbage(port_);
    ASSERT_TRUE(garbage.connected());
    std::string noise;
    for (int i = 0; i < 3000; ++i) noise.push_back(char(i * 7919 % 251));
    garbage.send(noise);
    EXPECT_TRUE(garbage.read(5s).closed);
  }
  EXPECT_TRUE(wait_until([&] { return server_->stats().tls_failures == 2; })) << server_->stats().tls_failures;
  expect_call_works("after garbage");
}

TEST_F(SignallingLimitsTest, PerAddressLimitClosesTheFifthAtOnce) {
  start();  // default: 4 per address
  std::vector<std::unique_ptr<RawPeer>> peers;
  for (int i = 0; i < 4; ++i) {
    peers.push_back(std::make_unique<RawPeer>(port_, "127.0.0.1"));
    ASSERT_TRUE(peers.back()->connected());
  }
  ASSERT_TRUE(wait_until([&] { return server_->connection_count() == 4; }));
  RawPeer fifth(port_, "127.0.0.1");  // the TCP handshake completes in the kernel; the server then closes it
  auto refused = fifth.read(5s);
  EXPECT_TRUE(refused.closed);
  EXPECT_EQ(refused.data, "");
  EXPECT_EQ(server_->stats().refused, 1u);
  // Another address is not affected.
  auto client = SignallingClient::connect("127.0.0.1", port_, 2s);  // still from 127.0.0.1: refused
  EXPECT_FALSE(client.ok());
  TlsPeer other(port_, "127.0.0.2");
  ASSERT_TRUE(other.connected());
  EXPECT_TRUE(other.handshake());
}

TEST_F(SignallingLimitsTest, SeventyIdleConnectionsCannotLockCallersOut) {
  SignallingLimits limits;
  limits.max_connections_per_address = 100;
  limits.max_connections = 64;
  start(limits);
  std::vector<std::unique_ptr<RawPeer>> idle;
  for (int i = 0; i < 70; ++i) {
    idle.push_back(std::make_unique<RawPeer>(port_));
    ASSERT_TRUE(idle.back()->connected()) << i;
  }
  ASSERT_TRUE(wait_until([&] { return server_->stats().connections == 70; })) << server_->stats().connections;
  EXPECT_EQ(server_->connection_count(), 64u);
  EXPECT_EQ(server_->stats().evicted, 6u);
  EXPECT_EQ(server_->stats().refused, 0u);
  expect_call_works("with 70 idle connections open");
  EXPECT_LE(server_->connection_count(), 64u);
  EXPECT_EQ(server_->stats().evicted, 7u);
}

TEST_F(SignallingLimitsTest, IdleConnectionsFromManyLoopbackAddresses) {
  start();  // default limits: 4 per address, 64 in all
  std::vector<std::unique_ptr<RawPeer>> idle;
  for (int i = 0; i < 70; ++i) {
    idle.push_back(std::make_unique<RawPeer>(port_, "127.0.0." + std::to_string(2 + i / 4)));
    ASSERT_TRUE(idle.back()->connected()) << i;
  }
  ASSERT_TRUE(wait_until([&] { return server_->stats().connections == 70; })) << server_->stats().connections;
  EXPECT_EQ(server_->connection_count(), 64u);
  expect_call_works("with 70 idle connections from 18 addresses");
}
