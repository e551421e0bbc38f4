#include "net/signalling/signalling_client.hpp"

#include <algorithm>
#include <cstdio>
#include <functional>
#include <future>
#include <openssl/ssl.h>
#include <thread>

#include "net/host_port.hpp"
#include "net/signalling/address_text.hpp"
#include "net/signalling/tls_context.hpp"

namespace peercall {
namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace {

using asio::ip::tcp;
using Clock = std::chrono::steady_clock;

constexpr size_t kMaxServerText = 200;
constexpr size_t kMaxAnswerBody = 256 * 1024;
constexpr std::uint32_t kMaxAnswerHeader = 16 * 1024;

std::string describe(std::chrono::milliseconds t) {
  auto ms = t.count();
  if (ms >= 1000 && ms % 1000 == 0) return std::to_string(ms / 1000) + " s";
  if (ms < 1000) return std::to_string(ms) + " ms";
  char text[32];
  std::snprintf(text, sizeof text, "%.1f s", double(ms) / 1000.0);
  return text;
}

// OS messages start with a capital ("Connection refused"); ours continue a sentence.
std::string sentence_part(std::string message) {
  if (!message.empty() && message[0] >= 'A' && message[0] <= 'Z') message[0] = char(message[0] - 'A' + 'a');
  return message;
}

// Server-provided text goes to a terminal: no control characters, one line, short.
std::string printable(std::string_view text) {
  std::string out;
  for (char c : text.substr(0, kMaxServerText)) {
    bool control = static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
    if (control && (out.empty() || out.back() == ' ')) continue;
    out.push_back(control ? ' ' : c);
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

std::string_view view(beast::string_view s) { return {s.data(), s.size()}; }

std::string server_text(const http::response<http::string_body>& r) {
  std::string_view type = view(r[http::field::content_type]);
  if (!type.empty() && type.substr(0, 5) != "text/") return {};
  return printable(r.body());
}

// "409 Conflict: busy: already in a call"
std::string server_says(const http::response<http::string_body>& r) {
  std::string out = std::to_string(r.result_int()) + " " + printable(view(r.reason()));
  std::string text = server_text(r);
  if (!text.empty()) out += ": " + text;
  return out;
}

Result<std::vector<tcp::endpoint>> resolve(const std::string& host, uint16_t port, Clock::time_point deadline,
                                            std::chrono::milliseconds timeout) {
  boost::system::error_code ec;
  asio::ip::address literal = asio::ip::make_address(host, ec);
  if (!ec) return std::vector<tcp::endpoint>{tcp::endpoint(literal, port)};

  struct Resolved {
    boost::system::error_code ec;
    std::vector<tcp::endpoint> endpoints;
  };
  auto promise = std::make_shared<std::promise<Resolved>>();
  std::future<Resolved> future = promise->get_future();
  // getaddrinfo cannot be cancelled: on its own thread, a slow DNS server costs
  // the caller its timeout and no more. The thread finishes on its own.
  std::thread([promise, host, port] {
    Resolved out;
    asio::io_context io;
    tcp::resolver resolver(io);
    auto results = resolver.resolve(host, std::to_string(port), tcp::resolver::numeric_service, out.ec);
    for (const auto& entry : results) out.endpoints.push_back(entry.endpoint());
    promise->set_value(std::move(out));
  }).detach();
  if (future.wait_until(deadline) != std::future_status::ready)
    return Error{"cannot resolve '" + host + "': timed out after " + describe(timeout)};
  Resolved resolved = future.get();
  if (resolved.ec) return Error{"cannot resolve '" + host + "': " + sentence_part(resolved.ec.message())};
  if (resolved.endpoints.empty()) return Error{"cannot resolve '" + host + "': no addresses"};
  return resolved.endpoints;
}

// Location may be a path or an absolute https:// URL; both name a resource on
// the server we are connected to.
Result<std::string> location_target(const std::string& location) {
  std::string_view loc = location;
  for (std::string_view scheme : {"https://", "http://"}) {
    if (loc.substr(0, scheme.size()) != scheme) continue;
    size_t slash = loc.find('/', scheme.size());
    loc = slash == std::string_view::npos ? std::string_view("/") : loc.substr(slash);
    break;
  }
  if (loc.find("://") != std::string_view::npos)
    return Error{"cannot hang up at '" + printable(location) + "': only https:// locations are supported"};
  if (loc.empty()) return Error{"cannot hang up: the session location is empty"};
  for (char c : loc)
    if (c <= 0x20 || c == 0x7f) return Error{"cannot hang up: bad session location '" + printable(location) + "'"};
  return loc.front() == '/' ? std::string(loc) : "/" + std::string(loc);
}

}  // namespace

SignallingClient::SignallingClient(std::string host, uint16_t port)
    : tls_(make_client_tls_context()), host_(std::move(host)), port_(port) {}

SignallingClient::~SignallingClient() { drop_connection(); }

Result<std::unique_ptr<SignallingClient>> SignallingClient::connect(const std::string& host, uint16_t port,
                                                                     std::chrono::milliseconds timeout,
                                                                     const std::string& listener) {
  Clock::time_point deadline = Clock::now() + timeout;
  auto endpoints = resolve(host, port, deadline, timeout);
  if (!endpoints) return Error{endpoints.error()};
  std::unique_ptr<SignallingClient> client(new SignallingClient(host, port));
  client->listener_ = listener;
  auto opened = client->open(*endpoints, deadline, timeout);
  if (!opened) return Error{opened.error()};
  return client;
}

std::string SignallingClient::peer() const { return format_host_port(host_, port_); }

void SignallingClient::run() {
  io_.restart();
  io_.run();
}

void SignallingClient::drop_connection() {
  if (stream_) beast::get_lowest_layer(*stream_).close();
  stream_.reset();
  buffer_.clear();
}

Result<Done> SignallingClient::open(const std::vector<tcp::endpoint>& endpoints, Clock::time_point deadline,
                                     std::chrono::milliseconds timeout) {
  drop_connection();
  stream_.emplace(io_, *tls_);
  auto& tcp_stream = beast::get_lowest_layer(*stream_);
  tcp_stream.expires_at(deadline);
  boost::system::error_code result;
  tcp::endpoint connected;
  tcp_stream.async_connect(endpoints, [&](const boost::system::error_code& ec, const tcp::endpoint& endpoint) {
    result = ec;
    connected = endpoint;
  });
  run();
  if (result) drop_connection();
  if (result == beast::error::timeout) return Error{"cannot reach " + peer() + ": timed out after " + describe(timeout)};
  if (result == asio::error::connection_refused)
    return Error{"cannot reach " + peer() + ": connection refused (is `" + listener_ + "` running there?)"};
  if (result) return Error{"cannot reach " + peer() + ": " + sentence_part(result.message())};

  boost::system::error_code ec;
  tcp_stream.socket().set_option(tcp::no_delay(true), ec);
  // SNI for names only: an address literal is not a valid server name.
  asio::ip::make_address(host_, ec);
  if (ec) SSL_set_tlsext_host_name(stream_->native_handle(), host_.c_str());
  stream_->async_handshake(asio::ssl::stream_base::client, [&](const boost::system::error_code& e) { result = e; });
  run();
  if (result == beast::error::timeout) {
    drop_connection();
    return Error{peer() + " did not answer TLS within " + describe(timeout) + ": is it an old peercall?"};
  }
  if (result == asio::ssl::error::stream_truncated || result == asio::error::eof ||
      result == asio::error::connection_reset) {
    drop_connection();
    return Error{peer() + " closed the connection before TLS was set up (busy, or an old peercall?)"};
  }
  if (result) {
    drop_connection();
    return Error{peer() + " did not answer TLS: is it an old peercall? (" + tls_error_text(result) + ")"};
  }
  Bytes der = peer_certificate_der(stream_->native_handle());
  if (!certificate_der_.empty() && der != certificate_der_) {
    drop_connection();
    return Error{peer() + " now presents another certificate: refusing to go on"};
  }
  certificate_der_ = std::move(der);
  endpoint_ = connected;
  auto local = tcp_stream.socket().local_endpoint(ec);
  if (!ec) local_address_ = address_text(local.address());
  remote_address_ = address_text(connected.address());
  return Done{};
}

Result<SignallingClient::Response> SignallingClient::exchange(Request request, std::chrono::milliseconds timeout,
                                                             const std::function<void()>& on_interim) {
  Clock::time_point deadline = Clock::now() + timeout;
  request.set(http::field::host, peer());
  request.set(http::field::user_agent, "peercall/" PEERCALL_VERSION);
  request.keep_alive(true);
  request.prepare_payload();
  for (int attempt = 0;; ++attempt) {
    bool fresh = !stream_;
    if (fresh) {
      auto opened = open({endpoint_}, deadline, timeout);
      if (!opened) return Error{opened.error()};
    }
    auto& tcp_stream = beast::get_lowest_layer(*stream_);
    tcp_stream.expires_at(deadline);
    std::optional<http::response_parser<http::string_body>> parser;
    auto fresh_parser = [&] {
      parser.emplace();
      parser->header_limit(kMaxAnswerHeader);
      parser->body_limit(kMaxAnswerBody);
    };
    fresh_parser();
    boost::system::error_code write_error, read_error;
    bool interim_seen = false;
    // Interim answers (1xx) precede the real one: "102" = the user is asked.
    std::function<void()> read_answer = [&] {
      http::async_read(*stream_, buffer_, *parser, [&](const boost::system::error_code& e, size_t) {
        read_error = e;
        if (e || parser->get().result_int() / 100 != 1) return;
        if (!interim_seen) {
          interim_seen = true;
          deadline = std::max(deadline, Clock::now() + kDecisionTimeout);
          beast::get_lowest_layer(*stream_).expires_at(deadline);
          if (on_interim) on_interim();
        }
        fresh_parser();
        read_answer();
      });
    };
    http::async_write(*stream_, request, [&](const boost::system::error_code& ec, size_t) {
      write_error = ec;
      if (ec) return;
      read_answer();
    });
    run();
    boost::system::error_code failure = write_error ? write_error : read_error;
    if (failure == beast::error::timeout) {
      drop_connection();
      if (interim_seen) return Error{peer() + " did not decide within " + describe(kDecisionTimeout)};
      return Error{"timed out after " + describe(timeout) + " waiting for " + peer() + " to answer"};
    }
    // A kept-alive connection the server has meanwhile closed as idle fails
    // before any answer byte: the request was not processed, so one retry on a
    // new connection is safe.
    if (failure && !fresh && attempt == 0 && !interim_seen && !parser->got_some()) {
      drop_connection();
      continue;
    }
    if (failure) {
      drop_connection();
      std::string why = failure == http::error::end_of_stream || failure == asio::ssl::error::stream_truncated
                            ? std::string("connection closed before an answer (server busy?)")
                            : sentence_part(failure.message());
      return Error{"signalling with " + peer() + " failed: " + why};
    }
    Response response = parser->release();
    if (!response.keep_alive()) drop_connection();
    return response;
  }
}

Result<OfferReply> SignallingClient::post_offer(const std::string& path, const std::string& offer_sdp,
                                                const std::string& bearer_token, std::chrono::milliseconds timeout,
                                                const std::function<void()>& on_waiting) {
  Request request{http::verb::post, path.empty() ? "/" : path, 11};
  request.set(http::field::content_type, "application/sdp");
  request.set(http::field::accept, "application/sdp");
  if (!bearer_token.empty()) request.set(http::field::authorization, "Bearer " + bearer_token);
  request.body() = offer_sdp;
  auto response = exchange(std::move(request), timeout, on_waiting);
  if (!response) return Error{response.error()};
  OfferReply reply;
  reply.status = static_cast<int>(response->result_int());
  if (reply.status != 201) {
    reply.text = server_text(*response);
    const bool declined = beast::iequals((*response)["Peercall-Decision"], "declined") && !reply.text.empty();
    reply.message = declined ? reply.text : "offer refused by " + peer() + ": " + server_says(*response);
    return reply;
  }
  reply.location = std::string(view((*response)[http::field::location]));
  reply.etag = std::string(view((*response)[http::field::etag]));
  reply.sdp = std::move(response->body());
  if (reply.location.empty()) return Error{"bad answer from " + peer() + ": 201 without a Location header"};
  if (reply.sdp.empty()) return Error{"bad answer from " + peer() + ": 201 without an SDP answer"};
  return reply;
}

Result<Done> SignallingClient::hang_up(const std::string& location, std::chrono::milliseconds timeout) {
  auto target = location_target(location);
  if (!target) return Error{target.error()};
  auto response = exchange(Request{http::verb::delete_, *target, 11}, timeout);
  if (!response) return Error{response.error()};
  unsigned s = response->result_int();
  if (s == 200 || s == 202 || s == 204) return Done{};
  return Error{"hang-up refused by " + peer() + ": " + server_says(*response)};
}

}  // namespace peercall
