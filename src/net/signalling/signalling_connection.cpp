#include "net/signalling/signalling_connection.hpp"

#include <spdlog/spdlog.h>

#include "net/signalling/address_text.hpp"

namespace peercall {

SignallingConnection::SignallingConnection(asio::ip::tcp::socket socket,
                                           std::shared_ptr<const SignallingRouter> router,
                                           std::chrono::milliseconds timeout, ClosedHandler on_closed)
    : socket_(std::move(socket)),
      deadline_(socket_.get_executor()),
      router_(std::move(router)),
      timeout_(timeout),
      on_closed_(std::move(on_closed)) {}

void SignallingConnection::start() {
  boost::system::error_code ec;
  auto remote = socket_.remote_endpoint(ec);
  if (!ec) context_.remote_address = address_text(remote.address());
  auto local = socket_.local_endpoint(ec);
  if (!ec) context_.local_address = address_text(local.address());
  arm_deadline();
  watch_deadline();
  read();
}

void SignallingConnection::close() {
  if (!socket_.is_open()) return;
  boost::system::error_code ignored;
  socket_.close(ignored);
  deadline_.cancel();
  if (on_closed_) on_closed_(this);
}

// One timer per connection; re-arming it only moves the expiry, this loop
// notices. Checking the expiry (not the error code) avoids acting on a stale
// expiry that raced with a re-arm.
void SignallingConnection::watch_deadline() {
  deadline_.async_wait([self = shared_from_this()](const boost::system::error_code&) {
    if (!self->socket_.is_open()) return;
    if (self->deadline_.expiry() <= asio::steady_timer::clock_type::now()) {
      spdlog::debug("signalling: dropping {}: request not complete in time", self->context_.remote_address);
      self->close();
      return;
    }
    self->watch_deadline();
  });
}

void SignallingConnection::arm_deadline() { deadline_.expires_after(timeout_); }

void SignallingConnection::read() {
  socket_.async_read_some(asio::buffer(in_), [self = shared_from_this()](const boost::system::error_code& ec, size_t n) {
    self->on_read(ec, n);
  });
}

void SignallingConnection::on_read(const boost::system::error_code& ec, size_t n) {
  if (!socket_.is_open()) return;
  if (ec) {  // EOF mid-request or a reset: nobody is left to answer
    close();
    return;
  }
  if (draining_) {
    read();
    return;
  }
  parser_.feed(ByteView(in_.data(), n));
  process();
}

void SignallingConnection::process() {
  switch (parser_.status()) {
    case ParseStatus::kNeedMore:
      if (!continue_sent_ && parser_.head_complete()) {
        auto expect = parser_.headers().get("Expect");
        if (expect && iequals(*expect, "100-continue")) return send_continue();
      }
      return read();
    case ParseStatus::kError: {
      std::string_view reason = parser_.error();
      if (reason.substr(0, 6) == "http: ") reason.remove_prefix(6);
      return respond(SignallingRouter::error_response(parser_.error_status(), reason), nullptr);
    }
    case ParseStatus::kComplete: {
      HttpRequest request = parser_.take();
      HttpResponse response = router_->handle(request, context_);
      return respond(std::move(response), &request);
    }
  }
}

// curl and others wait for this before sending a body of a few KiB.
void SignallingConnection::send_continue() {
  continue_sent_ = true;
  out_ = "HTTP/1.1 100 Continue\r\n\r\n";
  asio::async_write(socket_, asio::buffer(out_), [self = shared_from_this()](const boost::system::error_code& ec, size_t) {
    if (!self->socket_.is_open()) return;
    if (ec) return self->close();
    self->read();
  });
}

// `request` is null when the request could not be parsed: then the connection
// closes after the response, as its framing is lost.
void SignallingConnection::respond(HttpResponse response, const HttpRequest* request) {
  keep_alive_ = request && request->keep_alive();
  if (!keep_alive_) {
    response.headers.set("Connection", "close");
  } else if (request->version_minor == 0) {
    response.headers.set("Connection", "keep-alive");
  }
  out_ = serialize(response);
  arm_deadline();  // a peer that does not read must not hold the slot either
  asio::async_write(socket_, asio::buffer(out_), [self = shared_from_this()](const boost::system::error_code& ec, size_t) {
    self->on_written(ec);
  });
}

void SignallingConnection::on_written(const boost::system::error_code& ec) {
  if (!socket_.is_open()) return;
  if (ec) return close();
  arm_deadline();
  if (!keep_alive_) {
    // Half-close and drain until the peer closes (or the deadline), so unread
    // input does not turn our close into a reset that loses the response.
    boost::system::error_code ignored;
    socket_.shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
    draining_ = true;
    return read();
  }
  continue_sent_ = false;
  parser_.feed(ByteView());  // a pipelined request may already be buffered
  process();
}

}  // namespace peercall
