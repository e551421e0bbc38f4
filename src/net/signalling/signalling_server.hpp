#pragma once
// The listener side of call setup: HTTPS (TLS 1.2+, Boost.Beast) serving the
// routes of SignallingRouter. Per connection: one request at a time,
// keep-alive, a fixed deadline from accept, and header/body limits (see
// SignallingLimits). Idle connections can never lock callers out: at the
// connection limit, a new connection evicts the oldest idle one.
//
// Threading: runs on the caller's io_context (the network thread); handlers run
// there. Call listen(), stop() and the destructor on that thread, or while the
// io_context is not running. connection_count() and stats() are safe anywhere.
#include "core/asio.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "net/signalling/signalling_limits.hpp"
#include "net/signalling/signalling_router.hpp"

namespace peercall {

struct SignallingServerConfig {
  std::string bind_address = "::";  // "0.0.0.0" (IPv4) or "::" (IPv6 and IPv4)
  uint16_t port = 5004;             // 0 picks a free port
  std::string certificate_pem;      // the user's own certificate (self-signed is fine)
  std::string private_key_pem;
  std::string page_html;            // served at GET / and /call; empty -> a health-check line
  std::vector<OfferRoute> offer_routes;  // e.g. {{"/whip", on_call}} or {{"/whep", on_viewer}}
  HangupHandler on_hangup;
  SignallingLimits limits;
};

class SignallingServer {
 public:
  SignallingServer(asio::io_context& io, SignallingServerConfig config);
  ~SignallingServer();
  SignallingServer(const SignallingServer&) = delete;
  SignallingServer& operator=(const SignallingServer&) = delete;

  // Listens on the config's address and port. Returns the bound port, or e.g.
  // "signalling: port 5004 is in use (is another peercall running?)".
  Result<uint16_t> listen();
  Result<uint16_t> listen(const std::string& bind_address, uint16_t port);
  // Stops accepting and closes every connection. listen() may be called again.
  void stop();

  size_t connection_count() const;
  SignallingStats stats() const;

 private:
  struct Core;
  std::shared_ptr<Core> core_;
};

}  // namespace peercall
