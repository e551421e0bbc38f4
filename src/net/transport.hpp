#pragma once
// The media transport seen by the session driver: a datagram path to one peer.
// Plain UDP now. ICE (path selection), DTLS (keys) and SRTP (protection) will
// be transports too, each wrapping the one below, so media code never changes:
//   session <-> [SrtpTransport <-> DtlsTransport <-> IceTransport] <-> socket
#include <cstdint>
#include <functional>
#include <string>

#include "core/bytes.hpp"
#include "core/time.hpp"

namespace peercall {

struct TransportStats {
  uint64_t datagrams_sent = 0;
  uint64_t bytes_sent = 0;
  uint64_t send_errors = 0;
  uint64_t datagrams_received = 0;
  uint64_t bytes_received = 0;
};

class Transport {
 public:
  using Receiver = std::function<void(ByteView datagram, Instant arrival)>;
  virtual ~Transport() = default;
  // Fire and forget: a datagram that cannot be sent is counted, not reported.
  virtual void send(ByteView datagram) = 0;
  // Called on the network thread for each datagram from the peer.
  virtual void set_receiver(Receiver receiver) = 0;
  virtual std::string describe() const = 0;
  virtual TransportStats stats() const = 0;
};

}  // namespace peercall
