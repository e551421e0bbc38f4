#pragma once
// Test peers and a server fixture for the loopback signalling tests. The
// server's io_context runs on its own thread; raw TCP and raw TLS peers play
// misbehaving clients. Every wait is bounded.
#include <gtest/gtest.h>

#include <boost/asio/ssl.hpp>
#include <chrono>
#include <functional>
#include <future>
#include <mutex>
#include <set>
#include <thread>

#include "core/asio.hpp"
#include "net/signalling/signalling_client.hpp"
#include "net/signalling/signalling_server.hpp"
#include "test_certificate.hpp"

namespace peercall::test {

using namespace std::chrono_literals;

// Polls `done` until it holds or `limit` passes: for server-side counters that
// have no event to wait on.
inline bool wait_until(const std::function<bool()>& done, std::chrono::milliseconds limit = 5s) {
  auto end = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > end) return false;
    std::this_thread::sleep_for(2ms);
  }
  return true;
}

struct PeerRead {
  std::string data;
  bool closed = false;  // the server closed (EOF, reset, TLS close) within the limit
};

// A blocking loopback peer over `Stream` (a TCP socket, or TLS over one), with
// bounded operations: an operation still pending at its limit is aborted.
template <class Stream>
class BoundedPeer {
 public:
  // Runs the operation `start(handler)` for at most `limit`.
  boost::system::error_code run(std::chrono::milliseconds limit,
                                const std::function<void(std::function<void(boost::system::error_code)>)>& start) {
    boost::system::error_code result = asio::error::timed_out;
    bool done = false;
    start([&](boost::system::error_code ec) {
      result = ec;
      done = true;
    });
    io_.restart();
    io_.run_for(limit);
    if (!done) {
      boost::system::error_code ignored;
      socket().cancel(ignored);
      io_.restart();
      io_.run();
      if (result == asio::error::operation_aborted) result = asio::error::timed_out;
    }
    return result;
  }
  bool send(std::string_view text, std::chrono::milliseconds limit = 5s) {
    return !run(limit, [&](auto done) {
      asio::async_write(stream(), asio::buffer(text), [done](boost::system::error_code ec, size_t) { done(ec); });
    });
  }
  // Reads until the server closes, `limit` passes, or `enough` says so.
  PeerRead read(std::chrono::milliseconds limit, std::function<bool(const std::string&)> enough = {}) {
    PeerRead out;
    std::array<char, 4096> buf;
    std::function<void(std::function<void(boost::system::error_code)>)> next = [&](auto done) {
      stream().async_read_some(asio::buffer(buf), [&, done](const boost::system::error_code& ec, size_t n) {
        out.data.append(buf.data(), n);
        if (ec) {
          out.closed = true;
          return done(ec);
        }
        if (enough && enough(out.data)) return done({});
        next(done);
      });
    };
    auto ec = run(limit, next);
    if (ec == asio::error::timed_out) out.closed = false;
    return out;
  }
  bool connected() const { return connected_; }

 protected:
  BoundedPeer() = default;
  virtual ~BoundedPeer() = default;
  virtual Stream& stream() = 0;
  virtual asio::ip::tcp::socket& socket() = 0;
  // Connects from `from` (any 127.x.y.z is loopback) to 127.0.0.1:port.
  void connect_socket(uint16_t port, const std::string& from) {
    boost::system::error_code ec;
    auto& s = socket();
    s.open(asio::ip::tcp::v4(), ec);
    if (!ec) s.bind({asio::ip::make_address(from), 0}, ec);
    if (!ec) ec = run(5s, [&](auto done) {
      s.async_connect({asio::ip::make_address("127.0.0.1"), port}, [done](boost::system::error_code e) { done(e); });
    });
    connected_ = !ec;
  }

  asio::io_context io_;
  bool connected_ = false;
};

class RawPeer : public BoundedPeer<asio::ip::tcp::socket> {
 public:
  explicit RawPeer(uint16_t port, const std::string& from = "127.0.0.1") : socket_(io_) { connect_socket(port, from); }

 private:
  asio::ip::tcp::socket& stream() override { return socket_; }
  asio::ip::tcp::socket& socket() override { return socket_; }
  asio::ip::tcp::socket socket_;
};

class TlsPeer : public BoundedPeer<asio::ssl::stream<asio::ip::tcp::socket>> {
 public:
  explicit TlsPeer(uint16_t port, const std::string& from = "127.0.0.1") : tls_(asio::ssl::context::tls_client), stream_(io_, tls_) {
    connect_socket(port, from);
  }
  bool handshake(std::chrono::milliseconds limit = 5s) {
    return !run(limit, [&](auto done) {
      stream_.async_handshake(asio::ssl::stream_base::client, [done](boost::system::error_code ec) { done(ec); });
    });
  }

 private:
  asio::ssl::stream<asio::ip::tcp::socket>& stream() override { return stream_; }
  asio::ip::tcp::socket& socket() override { return stream_.next_layer(); }
  asio::ssl::context tls_;
  asio::ssl::stream<asio::ip::tcp::socket> stream_;
};

inline bool has_full_response(const std::string& data) {
  size_t end = data.find("\r\n\r\n");
  if (end == std::string::npos) return false;
  size_t length = data.find("Content-Length: ");
  if (length == std::string::npos || length > end) return true;
  return data.size() >= end + 4 + std::stoul(data.substr(length + 16));
}

// A port nothing listens on: bound once by us, then released.
inline uint16_t closed_port() {
  asio::io_context io;
  asio::ip::tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), 0});
  return acceptor.local_endpoint().port();
}

inline const TestCertificate& shared_certificate() {
  static const TestCertificate certificate = make_test_certificate();
  return certificate;
}

class SignallingFixture : public ::testing::Test {
 protected:
  SignallingServerConfig config(SignallingLimits limits = {}) {
    SignallingServerConfig c;
    c.certificate_pem = shared_certificate().certificate_pem;
    c.private_key_pem = shared_certificate().private_key_pem;
    c.page_html = "<!doctype html><title>peercall</title>";
    c.offer_routes = {{"/whip", [this](const std::string& sdp, const OfferContext& ctx) { return on_offer(sdp, ctx); }}};
    c.on_hangup = [this](const std::string& id) { return on_hangup(id); };
    c.limits = limits;
    return c;
  }

  void start(SignallingLimits limits = {}, const char* bind = "127.0.0.1") { start_with(config(limits), bind); }

  void start_with(SignallingServerConfig c, const char* bind = "127.0.0.1") {
    server_ = std::make_unique<SignallingServer>(io_, std::move(c));
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
    if (throw_) throw std::runtime_error("handler broke");
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
  bool throw_ = false;
  std::vector<std::string> offers_;
  std::vector<std::string> hangups_;
  std::set<std::string> sessions_;
  OfferContext last_context_;
};

}  // namespace peercall::test
