#include "net/signalling/signalling_client.hpp"

#include <cstdio>
#include <future>
#include <thread>

#include "net/host_port.hpp"
#include "net/signalling/address_text.hpp"

namespace peercall {
namespace {

using asio::ip::tcp;
using Deadline = std::chrono::steady_clock::time_point;

constexpr size_t kMaxServerText = 200;

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

// "409 Conflict: busy: already in a call"
std::string server_says(const HttpResponse& r) {
  std::string out = std::to_string(r.status) + " " + printable(r.reason.empty() ? reason_phrase(r.status) : r.reason);
  auto type = r.headers.get("Content-Type");
  if (!type || type->substr(0, 5) == "text/") {
    std::string text = printable(r.body);
    if (!text.empty()) out += ": " + text;
  }
  return out;
}

Result<std::vector<tcp::endpoint>> resolve(const std::string& host, uint16_t port, Deadline deadline,
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

// Location may be a path or an absolute http:// URL; both name a resource on
// the server we are connected to.
Result<std::string> location_target(const std::string& location) {
  std::string_view loc = location;
  if (loc.substr(0, 7) == "http://") {
    size_t slash = loc.find('/', 7);
    loc = slash == std::string_view::npos ? std::string_view("/") : loc.substr(slash);
  } else if (loc.find("://") != std::string_view::npos) {
    return Error{"cannot hang up at '" + printable(location) + "': only http:// locations are supported"};
  }
  if (loc.empty()) return Error{"cannot hang up: the session location is empty"};
  for (char c : loc)
    if (c <= 0x20 || c == 0x7f) return Error{"cannot hang up: bad session location '" + printable(location) + "'"};
  return loc.front() == '/' ? std::string(loc) : "/" + std::string(loc);
}

}  // namespace

SignallingClient::SignallingClient(std::string host, uint16_t port)
    : socket_(io_), host_(std::move(host)), port_(port) {}

SignallingClient::~SignallingClient() { drop_connection(); }

Result<std::unique_ptr<SignallingClient>> SignallingClient::connect(const std::string& host, uint16_t port,
                                                                     std::chrono::milliseconds timeout) {
  Deadline deadline = std::chrono::steady_clock::now() + timeout;
  auto endpoints = resolve(host, port, deadline, timeout);
  if (!endpoints) return Error{endpoints.error()};
  std::unique_ptr<SignallingClient> client(new SignallingClient(host, port));
  auto opened = client->open(*endpoints, deadline, timeout);
  if (!opened) return Error{opened.error()};
  return client;
}

std::string SignallingClient::peer() const { return format_host_port(host_, port_); }

SignallingClient::Io SignallingClient::run_until(Deadline deadline) {
  io_.restart();
  io_.run_until(deadline);
  if (io_.stopped()) return Io::kDone;  // ran out of work: every operation completed
  // Timed out: closing the socket aborts its operations; let their handlers run.
  boost::system::error_code ignored;
  socket_.close(ignored);
  io_.restart();
  io_.run();
  return Io::kTimedOut;
}

Result<Done> SignallingClient::open(const std::vector<tcp::endpoint>& endpoints, Deadline deadline,
                                     std::chrono::milliseconds timeout) {
  drop_connection();
  boost::system::error_code result;
  tcp::endpoint connected;
  asio::async_connect(socket_, endpoints, [&](const boost::system::error_code& ec, const tcp::endpoint& endpoint) {
    result = ec;
    connected = endpoint;
  });
  if (run_until(deadline) == Io::kTimedOut) return Error{"cannot reach " + peer() + ": timed out after " + describe(timeout)};
  if (result == asio::error::connection_refused)
    return Error{"cannot reach " + peer() + ": connection refused (is `peercall listen` running there?)"};
  if (result) return Error{"cannot reach " + peer() + ": " + sentence_part(result.message())};

  endpoint_ = connected;
  boost::system::error_code ec;
  socket_.set_option(tcp::no_delay(true), ec);
  auto local = socket_.local_endpoint(ec);
  if (!ec) local_address_ = address_text(local.address());
  remote_address_ = address_text(connected.address());
  return Done{};
}

void SignallingClient::drop_connection() {
  boost::system::error_code ignored;
  socket_.close(ignored);
  parser_.emplace();
}

void SignallingClient::start_read() {
  socket_.async_read_some(asio::buffer(in_), [this](const boost::system::error_code& ec, size_t n) { on_read(ec, n); });
}

void SignallingClient::on_read(const boost::system::error_code& ec, size_t n) {
  ParseStatus status;
  if (ec == asio::error::eof) {
    peer_closed_ = true;
    status = parser_->finish();  // completes a body that runs until the close
  } else if (ec) {
    read_error_ = ec;
    return;
  } else {
    received_ = true;
    status = parser_->feed(ByteView(in_.data(), n));
  }
  while (status == ParseStatus::kComplete) {
    HttpResponse response = parser_->take();
    if (response.status >= 200) {
      response_ = std::move(response);
      return;
    }
    status = parser_->feed(ByteView());  // interim (100 Continue): the real answer follows
  }
  if (status == ParseStatus::kNeedMore && !peer_closed_) start_read();
}

Result<HttpResponse> SignallingClient::exchange(const HttpRequest& request, std::chrono::milliseconds timeout) {
  Deadline deadline = std::chrono::steady_clock::now() + timeout;
  std::string wire = serialize(request);
  for (int attempt = 0;; ++attempt) {
    bool fresh = !socket_.is_open();
    if (fresh) {
      auto opened = open({endpoint_}, deadline, timeout);
      if (!opened) return Error{opened.error()};
    }
    response_.reset();
    read_error_ = {};
    received_ = false;
    peer_closed_ = false;
    boost::system::error_code write_error;
    asio::async_write(socket_, asio::buffer(wire), [&](const boost::system::error_code& ec, size_t) {
      write_error = ec;
      if (!ec) start_read();
    });
    if (run_until(deadline) == Io::kTimedOut) {
      drop_connection();
      return Error{"timed out after " + describe(timeout) + " waiting for " + peer() + " to answer"};
    }
    // A connection the server has meanwhile closed as idle fails before any
    // response byte: the request was not processed, so one retry on a new
    // connection is safe.
    bool lost = write_error || (!received_ && (peer_closed_ || read_error_));
    if (lost && !fresh && attempt == 0) {
      drop_connection();
      continue;
    }
    if (!response_) {
      std::string why = write_error         ? sentence_part(write_error.message())
                        : read_error_       ? sentence_part(read_error_.message())
                        : parser_->status() == ParseStatus::kError ? std::string("bad response (") + parser_->error() + ")"
                                                                   : std::string("connection closed before an answer (server busy?)");
      drop_connection();
      return Error{"signalling with " + peer() + " failed: " + why};
    }
    HttpResponse response = std::move(*response_);
    response_.reset();
    if (!response.keep_alive() || peer_closed_ || parser_->buffered_bytes() > 0) drop_connection();
    return response;
  }
}

Result<SignallingClient::Answer> SignallingClient::post_offer(const std::string& path, const std::string& offer_sdp,
                                                               std::chrono::milliseconds timeout) {
  HttpRequest request;
  request.method = "POST";
  request.target = path.empty() ? "/" : path;
  request.headers.add("Host", peer());
  request.headers.add("User-Agent", "peercall/" PEERCALL_VERSION);
  request.headers.add("Content-Type", "application/sdp");
  request.headers.add("Accept", "application/sdp");
  request.body = offer_sdp;
  auto response = exchange(request, timeout);
  if (!response) return Error{response.error()};
  if (response->status != 201) return Error{"offer refused by " + peer() + ": " + server_says(*response)};
  auto location = response->headers.get("Location");
  if (!location || location->empty()) return Error{"bad answer from " + peer() + ": 201 without a Location header"};
  if (response->body.empty()) return Error{"bad answer from " + peer() + ": 201 without an SDP answer"};
  return Answer{std::move(response->body), std::string(*location)};
}

Result<Done> SignallingClient::hang_up(const std::string& location, std::chrono::milliseconds timeout) {
  auto target = location_target(location);
  if (!target) return Error{target.error()};
  HttpRequest request;
  request.method = "DELETE";
  request.target = *target;
  request.headers.add("Host", peer());
  request.headers.add("User-Agent", "peercall/" PEERCALL_VERSION);
  auto response = exchange(request, timeout);
  if (!response) return Error{response.error()};
  int s = response->status;
  if (s == 200 || s == 202 || s == 204) return Done{};
  return Error{"hang-up refused by " + peer() + ": " + server_says(*response)};
}

}  // namespace peercall
