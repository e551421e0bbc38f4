// Server and client over real loopback HTTPS.
#include "signalling_test_support.hpp"

using namespace peercall;
using namespace peercall::test;

namespace {

class SignallingLoopback : public SignallingFixture {};

}  // namespace

TEST_F(SignallingLoopback, OfferAnswerAndHangUp) {
  start();
  ASSERT_NE(port_, 0) << listen_error_;
  auto client = connect_client();
  ASSERT_TRUE(client);
  EXPECT_EQ(client->local_address(), "127.0.0.1");
  EXPECT_EQ(client->remote_address(), "127.0.0.1");
  EXPECT_EQ(client->server_certificate_der(), shared_certificate().certificate_der);

  auto answer = client->post_offer("/whip", "v=0 offer", "token-1", 2s);
  ASSERT_TRUE(answer.ok()) << answer.error();
  EXPECT_EQ(answer->status, 201);
  EXPECT_TRUE(answer->ok());
  EXPECT_EQ(answer->sdp, "answer to v=0 offer");
  EXPECT_EQ(answer->location, "/session/s1");
  {
    std::lock_guard lock(mu_);
    ASSERT_EQ(offers_.size(), 1u);
    EXPECT_EQ(last_context_.local_address, "127.0.0.1");
    EXPECT_EQ(last_context_.remote_address, "127.0.0.1");
    EXPECT_EQ(last_context_.user_agent, "peercall/" PEERCALL_VERSION);
    EXPECT_EQ(last_context_.bearer_token, "token-1");
    EXPECT_EQ(last_context_.path, "/whip");
  }

  auto hung_up = client->hang_up(answer->location, 2s);  // same kept-alive connection
  EXPECT_TRUE(hung_up.ok()) << hung_up.error();
  auto again = client->hang_up("https://127.0.0.1/session/s1", 2s);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error(), "hang-up refused by 127.0.0.1:" + std::to_string(port_) + ": 404 Not Found: no such session");
  std::lock_guard lock(mu_);
  EXPECT_EQ(hangups_, (std::vector<std::string>{"s1", "s1"}));
  EXPECT_EQ(server_->stats().connections, 1u) << "one kept-alive connection for all three requests";
  EXPECT_EQ(server_->stats().requests, 3u);
}

TEST_F(SignallingLoopback, RefusalsAreRepliesWithStatusAndText) {
  busy_ = true;
  start();
  auto client = connect_client();
  ASSERT_TRUE(client);
  auto busy = client->post_offer("/whip", "v=0", "", 2s);
  ASSERT_TRUE(busy.ok()) << busy.error();
  EXPECT_EQ(busy->status, 409);
  EXPECT_EQ(busy->text, "busy: already in a call");
  EXPECT_EQ(busy->message,
            "offer refused by 127.0.0.1:" + std::to_string(port_) + ": 409 Conflict: busy: already in a call");
  auto nowhere = client->post_offer("/whep", "v=0", "", 2s);
  ASSERT_TRUE(nowhere.ok()) << nowhere.error();
  EXPECT_EQ(nowhere->status, 404);
  EXPECT_EQ(nowhere->text, "not found: offers go to /whip");
}

TEST_F(SignallingLoopback, HandlerExceptionIs500AndServerGoesOn) {
  throw_ = true;
  start();
  auto client = connect_client();
  ASSERT_TRUE(client);
  auto broken = client->post_offer("/whip", "v=0", "", 2s);
  ASSERT_TRUE(broken.ok()) << broken.error();
  EXPECT_EQ(broken->status, 500);
  {
    std::lock_guard lock(mu_);
    throw_ = false;
  }
  auto fine = client->post_offer("/whip", "v=0", "", 2s);
  ASSERT_TRUE(fine.ok()) << fine.error();
  EXPECT_EQ(fine->status, 201);
}

TEST_F(SignallingLoopback, HangUpReconnectsWhenServerDroppedTheConnection) {
  start();
  auto client = connect_client();
  ASSERT_TRUE(client);
  auto answer = client->post_offer("/whip", "v=0", "", 2s);
  ASSERT_TRUE(answer.ok()) << answer.error();
  // Closes every connection (as a deadline would) and listens again.
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
  auto answer = client->post_offer("/whip", "v=0", "", 2s);
  ASSERT_TRUE(answer.ok()) << answer.error();
  EXPECT_EQ(answer->status, 201);
  std::lock_guard lock(mu_);
  EXPECT_EQ(offers_.size(), 1u);
}

TEST_F(SignallingLoopback, OversizeOfferGets413) {
  start();
  auto client = connect_client();
  ASSERT_TRUE(client);
  auto answer = client->post_offer("/whip", std::string(70 * 1024, 'a'), "", 2s);
  ASSERT_TRUE(answer.ok()) << answer.error();
  EXPECT_EQ(answer->status, 413);
  EXPECT_EQ(answer->text, "request body too large");
  EXPECT_EQ(server_->stats().oversized, 1u);
  std::lock_guard lock(mu_);
  EXPECT_TRUE(offers_.empty());
}

TEST_F(SignallingLoopback, ExpectContinueGetsInterimResponse) {
  start();
  TlsPeer peer(port_);
  ASSERT_TRUE(peer.connected());
  ASSERT_TRUE(peer.handshake());
  peer.send("POST /whip HTTP/1.1\r\nHost: x\r\nContent-Type: application/sdp\r\nContent-Length: 3\r\n"
            "Expect: 100-continue\r\n\r\n");
  auto interim = peer.read(5s, [](const std::string& d) { return d.find("\r\n\r\n") != std::string::npos; });
  EXPECT_EQ(interim.data, "HTTP/1.1 100 Continue\r\n\r\n");
  peer.send("v=0");
  auto final = peer.read(5s, [](const std::string& d) { return d.find("answer to v=0") != std::string::npos; });
  EXPECT_NE(final.data.find("HTTP/1.1 201 Created"), std::string::npos) << final.data;
  EXPECT_NE(final.data.find("Location: /session/s1"), std::string::npos) << final.data;
}

TEST_F(SignallingLoopback, ServesThePage) {
  start();
  TlsPeer peer(port_);
  ASSERT_TRUE(peer.handshake());
  peer.send("GET /call HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  auto read = peer.read(5s);
  EXPECT_TRUE(read.closed);
  EXPECT_EQ(read.data.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << read.data;
  EXPECT_NE(read.data.find("Content-Type: text/html; charset=utf-8"), std::string::npos);
  EXPECT_NE(read.data.find("Content-Security-Policy: default-src 'self'"), std::string::npos);
  EXPECT_NE(read.data.find("<!doctype html><title>peercall</title>"), std::string::npos);
}

TEST_F(SignallingLoopback, DualStackReportsPlainIpv4) {
  start({}, "::");
  if (port_ == 0) GTEST_SKIP() << "no IPv6 here: " << listen_error_;
  auto client = connect_client();
  ASSERT_TRUE(client);
  auto answer = client->post_offer("/whip", "v=0", "", 2s);
  ASSERT_TRUE(answer.ok()) << answer.error();
  EXPECT_EQ(client->local_address(), "127.0.0.1");
  std::lock_guard lock(mu_);
  EXPECT_EQ(last_context_.remote_address, "127.0.0.1");
  EXPECT_EQ(last_context_.local_address, "127.0.0.1");
}

TEST_F(SignallingLoopback, ListenErrorsAreOneLine) {
  start();
  asio::io_context other_io;
  SignallingServer other(other_io, config());
  auto busy = other.listen("127.0.0.1", port_);
  ASSERT_FALSE(busy.ok());
  EXPECT_EQ(busy.error(), "signalling: port " + std::to_string(port_) + " is in use (is another peercall running?)");
  EXPECT_FALSE(other.listen("not-an-address", 0).ok());

  SignallingServerConfig bad = config();
  bad.certificate_pem = "-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----\n";
  SignallingServer bad_cert(other_io, bad);
  auto refused = bad_cert.listen("127.0.0.1", 0);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().rfind("signalling: bad certificate: ", 0), 0u) << refused.error();

  SignallingServerConfig mismatched = config();
  mismatched.private_key_pem = make_test_certificate().private_key_pem;
  SignallingServer wrong_key(other_io, mismatched);
  auto wrong = wrong_key.listen("127.0.0.1", 0);
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error(), "signalling: the private key does not match the certificate");
}

TEST_F(SignallingLoopback, ClientResolvesLocalhost) {
  start();
  auto client = SignallingClient::connect("localhost", port_, 2s);
  ASSERT_TRUE(client.ok()) << client.error();
  auto answer = (*client)->post_offer("/whip", "v=0", "", 2s);
  ASSERT_TRUE(answer.ok()) << answer.error();
  EXPECT_EQ(answer->status, 201);
}

TEST_F(SignallingLoopback, RejectsForeignLocation) {
  start();
  auto client = connect_client();
  ASSERT_TRUE(client);
  auto result = client->hang_up("ftp://elsewhere/session/x", 300ms);
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.error().find("only https://"), std::string::npos) << result.error();
}

TEST(SignallingClient, ClosedPortFailsFastWithConnectionRefused) {
  uint16_t port = closed_port();
  auto client = SignallingClient::connect("127.0.0.1", port, 5s);
  ASSERT_FALSE(client.ok());
  EXPECT_EQ(client.error(), "cannot reach 127.0.0.1:" + std::to_string(port) +
                                ": connection refused (is `peercall listen` running there?)");
}

TEST(SignallingClient, PlainHttpServerIsNotTls) {
  // An old peercall: plain HTTP, answers the ClientHello's bytes with a 400.
  asio::io_context io;
  asio::ip::tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), 0});
  uint16_t port = acceptor.local_endpoint().port();
  std::thread server([&] {
    boost::system::error_code ec;
    asio::ip::tcp::socket socket = acceptor.accept(ec);
    if (ec) return;
    std::array<char, 1024> in;
    socket.read_some(asio::buffer(in), ec);
    std::string_view answer = "HTTP/1.1 400 Bad Request\r\nContent-Length: 12\r\nConnection: close\r\n\r\nbad request\n";
    asio::write(socket, asio::buffer(answer), ec);
    socket.shutdown(asio::ip::tcp::socket::shutdown_send, ec);
  });
  auto client = SignallingClient::connect("127.0.0.1", port, 2s);
  server.join();
  ASSERT_FALSE(client.ok());
  EXPECT_EQ(client.error().rfind("127.0.0.1:" + std::to_string(port) + " did not answer TLS: is it an old peercall?", 0), 0u)
      << client.error();
}

TEST(SignallingClient, SilentServerTimesOutInHandshake) {
  // Listening but never accepting: the kernel completes the TCP handshake, and
  // no TLS answer ever comes.
  asio::io_context io;
  asio::ip::tcp::acceptor silent(io, {asio::ip::make_address("127.0.0.1"), 0});
  uint16_t port = silent.local_endpoint().port();
  auto client = SignallingClient::connect("127.0.0.1", port, 300ms);
  ASSERT_FALSE(client.ok());
  EXPECT_EQ(client.error(), "127.0.0.1:" + std::to_string(port) + " did not answer TLS within 300 ms: is it an old peercall?");
}
