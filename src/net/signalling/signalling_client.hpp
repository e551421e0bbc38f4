#pragma once
// The caller side of call setup: POSTs an SDP offer, gets the answer and the
// session's Location, later DELETEs it. Blocking with timeouts; it runs its own
// private io_context on the calling thread. Not thread-safe.
#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "net/http/http_response_parser.hpp"
#include "core/asio.hpp"
#include "core/result.hpp"

namespace peercall {

class SignallingClient {
 public:
  // Resolves and connects; `timeout` covers both. Errors are one-liners, e.g.
  // "cannot reach 127.0.0.1:5000: connection refused (is `peercall listen` running there?)".
  static Result<std::unique_ptr<SignallingClient>> connect(const std::string& host, uint16_t port,
                                                           std::chrono::milliseconds timeout);
  ~SignallingClient();
  SignallingClient(const SignallingClient&) = delete;
  SignallingClient& operator=(const SignallingClient&) = delete;

  // Our address on this connection (for the SDP offer's c= line), and the
  // server's. IPv4-mapped IPv6 addresses are shown as plain IPv4.
  std::string local_address() const { return local_address_; }
  std::string remote_address() const { return remote_address_; }

  struct Answer {
    std::string sdp;
    std::string location;  // as sent by the server, e.g. "/session/3f2a"
  };
  // POST `offer_sdp` to `path` ("/whip"). Anything but 201 with a Location and
  // a body is an error carrying the server's status and text.
  Result<Answer> post_offer(const std::string& path, const std::string& offer_sdp,
                             std::chrono::milliseconds timeout);
  // DELETE `location`; reconnects if the server closed the idle connection.
  Result<Done> hang_up(const std::string& location, std::chrono::milliseconds timeout);

 private:
  using Deadline = std::chrono::steady_clock::time_point;
  enum class Io { kDone, kTimedOut };

  SignallingClient(std::string host, uint16_t port);
  Result<Done> open(const std::vector<asio::ip::tcp::endpoint>& endpoints, Deadline deadline,
                     std::chrono::milliseconds timeout);
  Result<HttpResponse> exchange(const HttpRequest& request, std::chrono::milliseconds timeout);
  Io run_until(Deadline deadline);
  void start_read();
  void on_read(const boost::system::error_code& ec, size_t n);
  void drop_connection();
  std::string peer() const;

  asio::io_context io_;
  asio::ip::tcp::socket socket_;
  std::string host_;
  uint16_t port_;
  asio::ip::tcp::endpoint endpoint_;  // the server that answered: reconnects go there
  std::string local_address_;
  std::string remote_address_;

  // State of the response being read.
  std::optional<HttpResponseParser> parser_;
  std::array<uint8_t, 4096> in_{};
  std::optional<HttpResponse> response_;
  boost::system::error_code read_error_;
  bool received_ = false;  // any response byte arrived
  bool peer_closed_ = false;
};

}  // namespace peercall
