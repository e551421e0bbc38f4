#pragma once
// One accepted connection of the SignallingServer: TLS handshake, then reads a
// request, asks the router, writes the answer, repeats while keep-alive.
//
// Deadlines: one fixed deadline from accept covers everything (keep-alive
// requests cannot renew it); each request, once its first byte arrived, must
// arrive whole within the shorter request deadline (and the handshake and each
// answer's write within it too). An offer the handler answers later (the user
// is asked first) extends the connection's deadline to the pending-offer
// deadline from the request (bounded); without a reply by then, a 503.
// Limits: 431 for a header too large, 413 for a body too large, 400 for a
// bad request; each followed by a close.
#include "core/asio.hpp"

#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <utility>

#include "net/signalling/signalling_limits.hpp"
#include "net/signalling/signalling_router.hpp"

namespace peercall {

class SignallingConnection : public std::enable_shared_from_this<SignallingConnection> {
 public:
  using ClosedHandler = std::function<void(uint64_t id)>;

  SignallingConnection(uint64_t id, asio::ip::tcp::socket socket, std::shared_ptr<asio::ssl::context> tls,
                       std::shared_ptr<const SignallingRouter> router, SignallingLimits limits,
                       std::shared_ptr<SignallingCounters> counters, ClosedHandler on_closed);
  void start();
  // At once, without a goodbye (eviction, stop). Calls the ClosedHandler once.
  void close();

  // Handshaking, waiting for a request or saying goodbye: evicted first when
  // the server is full.
  bool idle() const { return state_ == State::kHandshake || state_ == State::kWaiting || state_ == State::kClosing; }
  // Not writing an answer nor waiting for one: may be evicted when nothing is idle.
  bool evictable() const { return idle() || state_ == State::kReading; }
  uint64_t id() const { return id_; }
  const std::string& remote_address() const { return context_.remote_address; }

 private:
  enum class State { kHandshake, kWaiting, kReading, kPending, kAnswering, kClosing, kClosed };
  using Clock = std::chrono::steady_clock;

  void on_handshake(const boost::system::error_code& ec);
  void wait_for_request();
  void read_request();
  void on_header(const boost::system::error_code& ec);
  void on_request(const boost::system::error_code& ec);
  // A read failed: answer what deserves an answer (431, 413, 400), else close.
  void on_read_error(const boost::system::error_code& ec);
  // The router's answer came later than the request: waits (bounded) for it.
  void wait_for_reply();
  void on_reply(HttpResponse response, bool keep_alive);
  void answer(HttpResponse response, bool keep_alive);
  void on_written(const boost::system::error_code& ec, bool keep_alive);
  void say_goodbye();
  void drain();
  // The request deadline from now, but never past the connection's deadline.
  Clock::time_point step_deadline() const;

  uint64_t id_;
  boost::beast::ssl_stream<boost::beast::tcp_stream> stream_;
  std::shared_ptr<asio::ssl::context> tls_;  // outlives the stream
  std::shared_ptr<const SignallingRouter> router_;
  SignallingLimits limits_;
  std::shared_ptr<SignallingCounters> counters_;
  ClosedHandler on_closed_;
  OfferContext context_;
  Clock::time_point deadline_;
  State state_ = State::kHandshake;
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  HttpResponse response_;  // the answer being written
  boost::beast::http::response<boost::beast::http::empty_body> continue_;
  asio::steady_timer pending_timer_;  // runs while an offer's reply is pending
  unsigned parser_version_ = 11;      // the request's HTTP version (10, 11)
  bool interim_writing_ = false;      // the "102" is being written
  std::optional<std::pair<HttpResponse, bool>> held_reply_;  // came while the 102 was written
  std::array<char, 4096> drain_buffer_;
  size_t drained_ = 0;
};

}  // namespace peercall
