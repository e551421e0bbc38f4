#include "net/signalling/signalling_connection.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "net/signalling/address_text.hpp"

namespace peercall {
namespace beast = boost::beast;
namespace http = boost::beast::http;

namespace {

constexpr size_t kFirstRead = 4096;
constexpr size_t kMaxDrain = 256 * 1024;  // then the peer gets its reset

bool is_expect_continue(beast::string_view expect) {
  return beast::iequals(expect, "100-continue");
}

}  // namespace

SignallingConnection::SignallingConnection(uint64_t id, asio::ip::tcp::socket socket,
                                           std::shared_ptr<asio::ssl::context> tls,
                                           std::shared_ptr<const SignallingRouter> router, SignallingLimits limits,
                                           std::shared_ptr<SignallingCounters> counters, ClosedHandler on_closed)
    : id_(id),
      stream_(beast::tcp_stream(std::move(socket)), *tls),
      tls_(std::move(tls)),
      router_(std::move(router)),
      limits_(limits),
      counters_(std::move(counters)),
      on_closed_(std::move(on_closed)),
      deadline_(Clock::now() + limits.connection_deadline),
      pending_timer_(stream_.get_executor()) {
  boost::system::error_code ec;
  auto& socket_ref = beast::get_lowest_layer(stream_).socket();
  auto remote = socket_ref.remote_endpoint(ec);
  if (!ec) context_.remote_address = address_text(remote.address());
  auto local = socket_ref.local_endpoint(ec);
  if (!ec) context_.local_address = address_text(local.address());
}

SignallingConnection::Clock::time_point SignallingConnection::step_deadline() const {
  return std::min(deadline_, Clock::now() + limits_.request_deadline);
}

void SignallingConnection::start() {
  state_ = State::kHandshake;
  beast::get_lowest_layer(stream_).expires_at(step_deadline());
  stream_.async_handshake(asio::ssl::stream_base::server,
                          [self = shared_from_this()](const boost::system::error_code& ec) { self->on_handshake(ec); });
}

void SignallingConnection::close() {
  if (state_ == State::kClosed) return;
  state_ = State::kClosed;
  pending_timer_.cancel();
  beast::get_lowest_layer(stream_).close();
  if (on_closed_) on_closed_(id_);
}

void SignallingConnection::on_handshake(const boost::system::error_code& ec) {
  if (state_ == State::kClosed) return;
  if (ec) {
    if (ec == beast::error::timeout) {
      ++counters_->timeouts;
    } else {
      ++counters_->tls_failures;
      spdlog::debug("signalling: TLS handshake with {} failed: {}", context_.remote_address, ec.message());
    }
    return close();
  }
  wait_for_request();
}

// Idle until the first byte of the next request: only the connection's own
// deadline runs, and the server may evict us to make room.
void SignallingConnection::wait_for_request() {
  state_ = State::kWaiting;
  if (buffer_.size() > 0) return read_request();  // pipelined: already here
  beast::get_lowest_layer(stream_).expires_at(deadline_);
  stream_.async_read_some(buffer_.prepare(kFirstRead),
                          [self = shared_from_this()](const boost::system::error_code& ec, size_t n) {
                            if (self->state_ == State::kClosed) return;
                            self->buffer_.commit(n);
                            if (ec && n == 0) return self->on_read_error(ec);
                            self->read_request();
                          });
}

void SignallingConnection::read_request() {
  state_ = State::kReading;
  parser_.emplace();
  parser_->header_limit(static_cast<std::uint32_t>(limits_.max_header_bytes));
  parser_->body_limit(limits_.max_body_bytes);
  beast::get_lowest_layer(stream_).expires_at(step_deadline());
  http::async_read_header(stream_, buffer_, *parser_,
                          [self = shared_from_this()](const boost::system::error_code& ec, size_t) {
                            self->on_header(ec);
                          });
}

void SignallingConnection::on_header(const boost::system::error_code& ec) {
  if (state_ == State::kClosed) return;
  if (ec) return on_read_error(ec);
  auto read_body = [self = shared_from_this()] {
    http::async_read(self->stream_, self->buffer_, *self->parser_,
                     [self](const boost::system::error_code& ec, size_t) { self->on_request(ec); });
  };
  if (parser_->is_done() || !is_expect_continue(parser_->get()[http::field::expect])) return read_body();
  // curl and others wait for this before they send a body.
  continue_ = {};
  continue_.version(parser_->get().version());
  continue_.result(http::status::continue_);
  http::async_write(stream_, continue_, [self = shared_from_this(), read_body](const boost::system::error_code& ec, size_t) {
    if (self->state_ == State::kClosed) return;
    if (ec) return self->close();
    read_body();
  });
}

void SignallingConnection::on_request(const boost::system::error_code& ec) {
  if (state_ == State::kClosed) return;
  if (ec) return on_read_error(ec);
  state_ = State::kPending;
  ++counters_->requests;
  HttpRequest request = parser_->release();
  parser_.reset();
  const bool keep_alive = request.keep_alive();
  parser_version_ = request.version();
  // The reply may come from any thread, and after we gave up or closed.
  std::weak_ptr<SignallingConnection> weak = weak_from_this();
  auto executor = stream_.get_executor();
  router_->handle(request, context_, [weak, executor, keep_alive](HttpResponse response) {
    asio::dispatch(executor, [weak, keep_alive, response = std::move(response)]() mutable {
      if (auto self = weak.lock()) self->on_reply(std::move(response), keep_alive);
    });
  });
  if (state_ == State::kPending) wait_for_reply();  // not answered at once
}

void SignallingConnection::wait_for_reply() {
  deadline_ = std::max(deadline_, Clock::now() + limits_.pending_offer_deadline);
  // Tells the caller to wait longer than for an answer ("102", an interim
  // answer HTTP/1.1 clients skip if they do not know it).
  if (parser_version_ >= 11) {
    interim_writing_ = true;
    continue_ = {};
    continue_.version(parser_version_);
    continue_.result(http::status::processing);
    continue_.reason("Waiting for the user to accept");
    beast::get_lowest_layer(stream_).expires_at(step_deadline());
    http::async_write(stream_, continue_, [self = shared_from_this()](const boost::system::error_code& ec, size_t) {
      self->interim_writing_ = false;
      if (self->state_ == State::kClosed) return;
      if (ec) return self->close();
      if (self->held_reply_) {
        auto [response, keep_alive] = std::move(*self->held_reply_);
        self->held_reply_.reset();
        self->answer(std::move(response), keep_alive);
      }
    });
  }
  pending_timer_.expires_at(deadline_);
  // The timer's handler keeps us alive while nothing else runs.
  pending_timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
    if (ec || self->state_ != State::kPending) return;
    ++self->counters_->timeouts;
    // Room to write the refusal: the connection's deadline is now.
    self->deadline_ = Clock::now() + self->limits_.request_deadline;
    self->on_reply(SignallingRouter::error_response(503, "no answer in time: try again later"), false);
  });
}

void SignallingConnection::on_reply(HttpResponse response, bool keep_alive) {
  if (state_ != State::kPending || held_reply_) return;  // too late: the 503 went already, or closed
  pending_timer_.cancel();
  if (interim_writing_) {
    held_reply_.emplace(std::move(response), keep_alive);  // one write at a time: after the 102
    return;
  }
  answer(std::move(response), keep_alive);
}

void SignallingConnection::on_read_error(const boost::system::error_code& ec) {
  if (state_ == State::kClosed || ec == asio::error::operation_aborted) return;
  if (ec == beast::error::timeout) {
    ++counters_->timeouts;
    spdlog::debug("signalling: dropping {}: deadline passed", context_.remote_address);
    return close();
  }
  if (ec == http::error::header_limit) {
    ++counters_->oversized;
    return answer(SignallingRouter::error_response(431, "request header too large"), false);
  }
  if (ec == http::error::body_limit || ec == http::error::buffer_overflow) {
    ++counters_->oversized;
    return answer(SignallingRouter::error_response(413, "request body too large"), false);
  }
  bool peer_left = ec == http::error::end_of_stream || ec == http::error::partial_message ||
                   ec == asio::ssl::error::stream_truncated || ec == asio::error::eof;
  if (ec.category() == http::make_error_code(http::error::bad_method).category() && !peer_left)
    return answer(SignallingRouter::error_response(400, "bad request: " + ec.message()), false);
  close();
}

void SignallingConnection::answer(HttpResponse response, bool keep_alive) {
  state_ = State::kAnswering;
  response_ = std::move(response);
  response_.keep_alive(keep_alive);
  beast::get_lowest_layer(stream_).expires_at(step_deadline());
  http::async_write(stream_, response_, [self = shared_from_this(), keep_alive](const boost::system::error_code& ec, size_t) {
    self->on_written(ec, keep_alive);
  });
}

void SignallingConnection::on_written(const boost::system::error_code& ec, bool keep_alive) {
  if (state_ == State::kClosed) return;
  if (ec) {
    if (ec == beast::error::timeout) ++counters_->timeouts;
    return close();
  }
  response_ = {};
  if (keep_alive) return wait_for_request();
  say_goodbye();
}

// Half-closes and drains until the peer closes (or the deadline, or enough
// bytes): input still arriving (the rest of an oversized body) must not turn
// our close into a reset that destroys the answer in flight. No close_notify:
// every answer is framed by its Content-Length, so a FIN cannot truncate one.
void SignallingConnection::say_goodbye() {
  state_ = State::kClosing;
  auto& tcp = beast::get_lowest_layer(stream_);
  boost::system::error_code ignored;
  tcp.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
  tcp.expires_at(step_deadline());
  drain();
}

void SignallingConnection::drain() {
  beast::get_lowest_layer(stream_).async_read_some(
      asio::buffer(drain_buffer_), [self = shared_from_this()](const boost::system::error_code& ec, size_t n) {
        if (self->state_ == State::kClosed) return;
        self->drained_ += n;
        if (ec || self->drained_ > kMaxDrain) return self->close();
        self->drain();
      });
}

}  // namespace peercall
