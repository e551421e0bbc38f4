#pragma once
// The listener side of call setup: a small HTTP/1.1 server on asio that serves
// the WHIP-style routes of SignallingRouter. Per connection: one request at a
// time, keep-alive, and a deadline per request (slow or idle peers are dropped).
// At most kMaxConnections at once; more are closed on accept.
//
// Threading: handlers run on the io_context's thread. Call listen(), stop() and
// the destructor on that thread, or while the io_context is not running.
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "core/asio.hpp"
#include "core/result.hpp"
#include "net/signalling/signalling_router.hpp"

namespace peercall {

class SignallingServer {
 public:
  using OfferHandler = peercall::OfferHandler;
  using HangupHandler = peercall::HangupHandler;
  static constexpr size_t kMaxConnections = 16;

  // `read_timeout` bounds the wait for each whole request (and each response
  // write), so half a request cannot hold a connection slot forever.
  SignallingServer(asio::io_context& io, OfferHandler on_offer, HangupHandler on_hangup,
                   std::chrono::milliseconds read_timeout = std::chrono::seconds(5));
  ~SignallingServer();
  SignallingServer(const SignallingServer&) = delete;
  SignallingServer& operator=(const SignallingServer&) = delete;

  // bind_address "0.0.0.0" (IPv4) or "::" (IPv6 and IPv4); port 0 picks a free
  // port. Returns the bound port, or e.g. "signalling: port 5000 is in use ...".
  Result<uint16_t> listen(const std::string& bind_address, uint16_t port);
  // Stops accepting and closes every connection. listen() may be called again.
  void stop();

  size_t connection_count() const;

 private:
  struct Core;
  std::shared_ptr<Core> core_;
};

}  // namespace peercall
