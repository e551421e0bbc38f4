#pragma once
// One accepted TCP connection of the SignallingServer: reads a request (under a
// deadline), asks the router, writes the response, repeats while keep-alive.
// After a final response it half-closes and drains, so the peer gets the
// response instead of a reset when it is still sending (e.g. an oversize body).
#include <array>
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "net/http/http_request_parser.hpp"
#include "core/asio.hpp"
#include "net/signalling/signalling_router.hpp"

namespace peercall {

class SignallingConnection : public std::enable_shared_from_this<SignallingConnection> {
 public:
  using ClosedHandler = std::function<void(SignallingConnection*)>;

  SignallingConnection(asio::ip::tcp::socket socket, std::shared_ptr<const SignallingRouter> router,
                       std::chrono::milliseconds timeout, ClosedHandler on_closed);
  void start();
  void close();

 private:
  void read();
  void on_read(const boost::system::error_code& ec, size_t n);
  void process();
  void send_continue();
  void respond(HttpResponse response, const HttpRequest* request);
  void on_written(const boost::system::error_code& ec);
  void arm_deadline();
  void watch_deadline();

  asio::ip::tcp::socket socket_;
  asio::steady_timer deadline_;
  std::shared_ptr<const SignallingRouter> router_;
  std::chrono::milliseconds timeout_;
  ClosedHandler on_closed_;
  OfferContext context_;
  HttpRequestParser parser_;
  std::array<uint8_t, 4096> in_{};
  std::string out_;
  bool keep_alive_ = true;   // of the response being written
  bool continue_sent_ = false;
  bool draining_ = false;    // final response sent: discard input until EOF
};

}  // namespace peercall
