#pragma once
// What one peer may cost the signalling server, and what it counted. Small
// numbers in tests; the defaults suit a home machine on the internet.
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>

namespace peercall {

struct SignallingLimits {
  size_t max_header_bytes = 8 * 1024;  // more -> 431 and close
  size_t max_body_bytes = 64 * 1024;   // more -> 413 and close
  // From accept, covering the TLS handshake and every request on the
  // connection: keep-alive cannot renew it.
  std::chrono::milliseconds connection_deadline = std::chrono::seconds(10);
  // For the handshake, and for each request to arrive whole (and its answer to
  // be written), so a trickling peer is dropped early.
  std::chrono::milliseconds request_deadline = std::chrono::seconds(3);
  // An offer whose handler answers later (the user is asked) may keep its
  // connection this long from the request; then it gets a 503.
  std::chrono::milliseconds pending_offer_deadline = std::chrono::seconds(35);
  size_t max_connections_per_address = 4;  // more -> closed at once
  size_t max_connections = 64;             // at the limit, the oldest idle connection is evicted
};

struct SignallingStats {
  uint64_t connections = 0;   // accepted and served
  uint64_t requests = 0;      // complete requests answered by the router
  uint64_t refused = 0;       // closed at accept: per-address limit, or full of busy connections
  uint64_t evicted = 0;       // idle connections closed to make room
  uint64_t tls_failures = 0;  // handshakes that failed (garbage, plain HTTP, bad TLS)
  uint64_t oversized = 0;     // 431 and 413 answers
  uint64_t timeouts = 0;      // connections dropped by a deadline
};

// The counters as the network thread updates them; read from any thread.
struct SignallingCounters {
  std::atomic<uint64_t> connections{0}, requests{0}, refused{0}, evicted{0}, tls_failures{0}, oversized{0},
      timeouts{0};
  SignallingStats snapshot() const {
    return {connections.load(), requests.load(), refused.load(), evicted.load(),
            tls_failures.load(), oversized.load(), timeouts.load()};
  }
};

}  // namespace peercall
