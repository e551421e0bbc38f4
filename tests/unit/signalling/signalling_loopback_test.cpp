// Server and client over real loopback sockets. The server's io_context runs on
// its own thread; raw sockets play misbehaving peers. Every wait is bounded.
#include <gtest/gtest.h>

#include <future>
#include <mutex>
#include <set>
#include <thread>

#include "core/asio.hpp"
#include "net/signalling/signalling_client.hpp"
#include "net/signalling/signalling_server.hpp"

using namespace peercall;
using namespace std::chrono_literals;

namespace {

// A blocking test peer with bounded reads.
class RawPeer {
 public:
  explicit RawPeer(uint16_t port) : socket_(io_) {
    boost::system::error_code ec;
    socket_.connect({asio::ip::make_address("127.0.0.1"), port}, ec);
    connected_ = !ec;
  }
  bool connected() const { return connected_; }
  void send(std::string_view text) {
    boost::system::error_code ec;
    asio::write(socket_, asio::buffer(text), ec);
  }
  struct Read {
    std::string data;
    bool closed = false;  // the server closed (EOF or reset) within the limit
  };
  // Reads until the server closes, `limit` passes, or `enough` says so.
  Read read(std::chrono::milliseconds limit, std::function<bool(const std::string&)> enough = {}) {
    Read out;
    std::array<char, 4096> buf;
    std::function<void()> next = [&] {
      socket_.async_read_some(asio::buffer(buf), [&](const boost::system::error_code& ec, size_t n) {
        out.data.append(buf.data(), n);
        if (ec) {
          out.closed = ec != asio::error::operation_aborted;
          return;
        }
        if (!enough || !enough(out.data)) next();
      });
    };
    next();
    io_.restart();
    io_.run_for(limit);
    if (!io_.stopped()) {
      socket_.cancel();
      io_.restart();
      io_.run();
    }
    return out;
  }

 private:
  asio::io_context io_;
  asio::ip::tcp::socket socket_;
  bool connected_ = false;
};

// A port nothing listens on: bound once by us, then released.
uint16_t closed_port() {
  asio::io_context io;
  asio::ip::tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), 0});
  return acceptor.local_endpoint().port();
}

class SignallingLoopback : public ::testing::Test {
 protected:
  void start(std::chrono::milliseconds read_timeout = 5s, const char* bind = "127.0.0.1") {
    server_ = std::make_unique<SignallingServer>(
        io_, [this](const std::string& sdp, const OfferContext& c) { return on_offer(sdp, c); },
        [this](const std::string& id) { return on_hangup(id); }, read_timeout);
    auto port = server_->listen(bind, 0);
    if (!port) {
      listen_error_ = port.error();
      return;
    }
    port_ = *port;
    thread_ = std::thread([this] { io_.run(); });
  }

  void TearDown() override {
    io_.stop();
    if (thread_.joinable()) thread_.join();
    server_.reset();
  }

  // Runs `fn` on the server's thread and waits for it.
  void on_io_thread(std::function<void()> fn) {
    std::promise<void> done;
    asio::post(io_, [&] {
      fn();
      done.set_value();
    });
    ASSERT_EQ(done.get_future().wait_for(5s), std::future_status::ready);
  }

  std::unique_ptr<SignallingClient> connect_client() {
    auto client = SignallingClient::connect("127.0.0.1", port_, 2s);
    EXPECT_TRUE(client.ok()) << client.error();
    return client ? std::move(*client) : nullptr;
  }

  OfferResult on_offer(const std::string& sdp, const OfferContext& context) {
    std::lock_guard lock(mu_);
    offers_.push_back(sdp);
    last_context_ = context;
    if (busy_) return {409, "", "", "busy: already in a call"};
    std::string id = "s" + std::to_string(offers_.size());
    sessions_.insert(id);
    return {201, "answer to " + sdp, id, ""};
  }

  bool on_hangup(const std::string& id) {
    std::lock_guard lock(mu_);
    hangups_.push_back(id);
    return sessions_.erase(id) == 1;
  }

  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_ = asio::make_work_guard(io_);
  std::unique_ptr<SignallingServer> server_;
  std::thread thread_;
  uint16_t port_ = 0;
  std::string listen_error_;

  std::mutex mu_;
  bool busy_ = false;
  std::vector<std::string> offers_;
  std::vector<std::string> hangups_;
  std::set<std::string> sessions_;
  OfferContext last_context_;
};

}  // namespace

TEST_F(SignallingLoopback, OfferAnswerAndHangUp) {
  start();
  ASSERT_NE(port_, 0) << listen_error_;
  auto client = connect_client();
  ASSERT_TRUE(client);
  EXPECT_EQ(client->local_address(), "127.0.0.1");
  EXPECT_EQ(client->remote_address(), "127.0.0.1");

  auto answer = client->post_offer("/whip", "v=0 offer", 2s);
  ASSERT_TRUE(answer.ok()) << answer.error();
  EXPECT_EQ(answer->sdp, "answer to v=0 offer");
  EXPECT_EQ(answer->location, "/session/s1");
  {
    std::lock_guard lock(mu_);
    ASSERT_EQ(offers_.size(), 1u);
    EXPECT_EQ(last_context_.local_address, "127.0.0.1");
    EXPECT_EQ(last_context_.remote_address, "127.0.0.1");
    EXPECT_EQ(last_context_.user_agent, "peercall/" PEERCALL_VERSION);
  }

  auto hung_up = client->hang_up(answer->location, 2s);  // same kept-alive connection
  EXPECT_TRUE(hung_up.ok()) << hung_up.error();
  auto again = client->hang_up(answer->location, 2s);
  ASSERT_FALSE(again.ok());
  EXPECT_NE(again.error().find("404"), std::string::npos) << again.error();
  std::lock_guard lock(mu_);
  EXPECT_EQ(hangups_, (std::vector<std::string>{"s1", "s1"}));
}

TEST_F(SignallingLoopback, BusyListenerRefusesWith409) {
  busy_ = true;
  start();
  auto client = connect_client();
  ASSERT_TRUE(client);
  auto answer = client->post_offer("/whip", "v=0", 2s);
  ASSERT_FALSE(answer.ok());
  EXPECT_NE(answer.error().find("409"), std::string::npos) << answer.error();
  EXPECT_NE(answer.error().find("busy: already in a call"), std::string::npos) << answer.error();
}

TEST_F(SignallingLoopback, UnknownSessionIs404) {
  start();
  auto client = connect_client();
  ASSERT_TRUE(client);
  auto result = client->hang_up("http://127.0.0.1/session/nope", 2s);
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.error().find("404"), std::string::npos) << result.error();
  std::lock_guard lock(mu_);
  EXPECT_EQ(hangups_, std::vector<std::string>{"nope"});
}

TEST_F(SignallingLoopback, HangUpReconnectsWhenServerDroppedTheConnection) {
  start();
  auto client = connect_client();
  ASSERT_TRUE(client);
  auto answer = client->post_offer("/", "v=0", 2s);
  ASSERT_TRUE(answer.ok()) << answer.error();
  // Closes every connection (as an idle timeout would) and listens again.
  on_io_thread([this] {
    server_->stop();
    auto port = server_->listen("127.0.0.1", port_);
    EXPECT_TRUE(port.ok()) << port.error();
  });
  auto hung_up = client->hang_up(answer->location, 2s);
  EXPECT_TRUE(hung_up.ok()) << hung_up.error();
  std::lock_guard lock(mu_);
  EXPECT_EQ(hangups_, std::vector<std::string>{"s1"});
}

TEST_F(SignallingLoopback, FirstOfferRetriesWhenIdleConnectionWasDropped) {
  start();
  auto client = connect_client();  // e.g. the camera takes a while before the offer is ready
  ASSERT_TRUE(client);
  on_io_thread([this] {
    server_->stop();
    auto port = server_->listen("127.0.0.1", port_);
    EXPECT_TRUE(port.ok()) << port.error();
  });
  auto answer = client->post_offer("/whip", "v=0", 2s);
  EXPECT_TRUE(answer.ok()) << answer.error();
  std::lock_guard lock(mu_);
  EXPECT_EQ(offers_.size(), 1u);
}

TEST_F(SignallingLoopback, OversizeOfferGets413) {
  start();
  auto client = connect_client();
  ASSERT_TRUE(client);
  auto answer = client->post_offer("/whip", std::string(70 * 1024, 'a'), 2s);
  ASSERT_FALSE(answer.ok());
  EXPECT_NE(answer.error().find("413"), std::string::npos) << answer.error();
  std::lock_guard lock(mu_);
  EXPECT_TRUE(offers_.empty());
}

TEST_F(SignallingLoopback, SlowlorisIsDroppedAfterReadTimeout) {
  start(200ms);
  RawPeer peer(port_);
  ASSERT_TRUE(peer.connected());
  peer.send("POST /whip HTTP/1.1\r\nContent-");
  auto read = peer.read(5s);
  EXPECT_TRUE(read.closed);
  EXPECT_EQ(read.data, "");
}

TEST_F(SignallingLoopback, PipelinedRequestsAnsweredInOrder) {
  start();
  RawPeer peer(port_);
  ASSERT_TRUE(peer.connected());
  peer.send(
      "GET / HTTP/1.1\r\nHost: x\r\n\r\n"
      "OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n"
      "GET /nothing HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  auto read = peer.read(5s);
  EXPECT_TRUE(read.closed);
  size_t ok = read.data.find("HTTP/1.1 200 OK");
  size_t options = read.data.find("HTTP/1.1 204 No Content");
  size_t missing = read.data.find("HTTP/1.1 404 Not Found");
  ASSERT_NE(ok, std::string::npos) << read.data;
  ASSERT_NE(options, std::string::npos) << read.data;
  ASSERT_NE(missing, std::string::npos) << read.data;
  EXPECT_LT(ok, options);
  EXPECT_LT(options, missing);
  EXPECT_NE(read.data.find("peercall " PEERCALL_VERSION), std::string::npos);
  EXPECT_NE(read.data.find("Accept-Post: application/sdp"), std::string::npos);
  EXPECT_NE(read.data.find("Connection: close"), std::string::npos);
}

TEST_F(SignallingLoopback, ExpectContinueGetsInterimResponse) {
  start();
  RawPeer peer(port_);
  ASSERT_TRUE(peer.connected());
  peer.send("POST /whip HTTP/1.1\r\nContent-Type: application/sdp\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n");
  auto interim = peer.read(5s, [](const std::string& d) { return d.find("\r\n\r\n") != std::string::npos; });
  EXPECT_EQ(interim.data, "HTTP/1.1 100 Continue\r\n\r\n");
  peer.send("v=0");
  auto final = peer.read(5s, [](const std::string& d) { return d.find("answer to v=0") != std::string::npos; });
  EXPECT_NE(final.data.find("HTTP/1.1 201 Created"), std::string::npos) << final.data;
  EXPECT_NE(final.data.find("Location: /session/s1"), std::string::npos) << final.data;
}

TEST_F(SignallingLoopback, BadRequestGetsErrorAndClose) {
  start();
  RawPeer peer(port_);
  ASSERT_TRUE(peer.connected());
  peer.send("POST /whip HTTP/1.1\r\nContent-Length: 12abc\r\n\r\n");
  auto read = peer.read(5s);
  EXPECT_TRUE(read.closed);
  EXPECT_EQ(read.data.rfind("HTTP/1.1 400 Bad Request\r\n", 0), 0u) << read.data;
  EXPECT_NE(read.data.find("Connection: close"), std::string::npos);
}

TEST_F(SignallingLoopback, SeventeenthConnectionIsRefused) {
  start();
  std::vector<std::unique_ptr<RawPeer>> peers;
  for (size_t i = 0; i < SignallingServer::kMaxConnections; ++i) {
    peers.push_back(std::make_unique<RawPeer>(port_));
    ASSERT_TRUE(peers.back()->connected());
  }
  RawPeer extra(port_);  // the TCP handshake completes in the kernel; the server then closes it
  auto refused = extra.read(5s);
  EXPECT_TRUE(refused.closed);
  EXPECT_EQ(refused.data, "");
  peers.front()->send("GET / HTTP/1.1\r\nConnection: close\r\n\r\n");
  auto served = peers.front()->read(5s);
  EXPECT_NE(served.data.find("200 OK"), std::string::npos);
}

TEST_F(SignallingLoopback, DualStackReportsPlainIpv4) {
  start(5s, "::");
  if (port_ == 0) GTEST_SKIP() << "no IPv6 here: " << listen_error_;
  auto client = connect_client();
  ASSERT_TRUE(client);
  ASSERT_TRUE(client->post_offer("/whip", "v=0", 2s).ok());
  std::lock_guard lock(mu_);
  EXPECT_EQ(last_context_.remote_address, "127.0.0.1");
  EXPECT_EQ(last_context_.local_address, "127.0.0.1");
}

TEST_F(SignallingLoopback, ListenOnBusyPortFails) {
  start();
  asio::io_context other_io;
  SignallingServer other(other_io, nullptr, nullptr);
  auto result = other.listen("127.0.0.1", port_);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error(), "signalling: port " + std::to_string(port_) + " is in use (is another peercall running?)");
  EXPECT_FALSE(other.listen("not-an-address", 0).ok());
}

TEST_F(SignallingLoopback, ClientResolvesLocalhost) {
  start();
  auto client = SignallingClient::connect("localhost", port_, 2s);
  ASSERT_TRUE(client.ok()) << client.error();
  EXPECT_TRUE((*client)->post_offer("/whip", "v=0", 2s).ok());
}

TEST(SignallingClient, ClosedPortFailsFastWithConnectionRefused) {
  uint16_t port = closed_port();
  auto client = SignallingClient::connect("127.0.0.1", port, 5s);
  ASSERT_FALSE(client.ok());
  EXPECT_EQ(client.error(), "cannot reach 127.0.0.1:" + std::to_string(port) +
                                ": connection refused (is `peercall listen` running there?)");
}

TEST(SignallingClient, PostOfferTimesOutAgainstSilentServer) {
  // Listening but never accepting: the kernel completes the handshake and
  // buffers the request, and no answer ever comes.
  asio::io_context io;
  asio::ip::tcp::acceptor silent(io, {asio::ip::make_address("127.0.0.1"), 0});
  uint16_t port = silent.local_endpoint().port();
  auto client = SignallingClient::connect("127.0.0.1", port, 2s);
  ASSERT_TRUE(client.ok()) << client.error();
  auto answer = (*client)->post_offer("/whip", "v=0", 300ms);
  ASSERT_FALSE(answer.ok());
  EXPECT_EQ(answer.error(), "timed out after 300 ms waiting for 127.0.0.1:" + std::to_string(port) + " to answer");
}

TEST(SignallingClient, UnresolvableHost) {
  auto client = SignallingClient::connect("nohost.invalid", 5000, 2s);
  ASSERT_FALSE(client.ok());
  EXPECT_EQ(client.error().rfind("cannot resolve 'nohost.invalid': ", 0), 0u) << client.error();
}

TEST(SignallingClient, RejectsNonHttpLocation) {
  asio::io_context io;
  asio::ip::tcp::acceptor silent(io, {asio::ip::make_address("127.0.0.1"), 0});
  auto client = SignallingClient::connect("127.0.0.1", silent.local_endpoint().port(), 2s);
  ASSERT_TRUE(client.ok()) << client.error();
  auto result = (*client)->hang_up("https://elsewhere/session/x", 300ms);
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.error().find("only http://"), std::string::npos);
}
