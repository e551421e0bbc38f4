#pragma once
// One UDP socket on the network thread, shared by every peer of a process
// (a streamer's viewers all reach the same port). Datagrams are dispatched to
// the UdpTransport registered for their source address; others go to the
// `unknown source` handler (which may register a new peer) or are counted.
#include "core/asio.hpp"
#include <map>
#include <memory>

#include "core/result.hpp"
#include "net/transport.hpp"

namespace peercall {

class UdpTransport;

class UdpEndpoint {
 public:
  using UnknownSourceHandler = std::function<void(const asio::ip::udp::endpoint&, ByteView, Instant)>;

  explicit UdpEndpoint(asio::io_context& io);
  ~UdpEndpoint();
  // Binds and starts receiving. Error: a one-line reason.
  Result<uint16_t> open(const asio::ip::address& bind_address, uint16_t port);
  void close();

  // A transport to `remote`; datagrams from that address are delivered to it.
  std::shared_ptr<UdpTransport> connect(const asio::ip::udp::endpoint& remote);
  void set_unknown_source_handler(UnknownSourceHandler handler) { on_unknown_ = std::move(handler); }
  uint64_t datagrams_from_unknown_sources() const { return unknown_; }

 private:
  friend class UdpTransport;
  void start_receive();
  void send_to(const asio::ip::udp::endpoint& to, ByteView datagram, TransportStats& stats);
  void forget(const asio::ip::udp::endpoint& remote);

  asio::ip::udp::socket socket_;
  bool v6_socket_ = false;
  asio::ip::udp::endpoint sender_;
  std::vector<uint8_t> buffer_;
  std::map<asio::ip::udp::endpoint, UdpTransport*> peers_;
  UnknownSourceHandler on_unknown_;
  uint64_t unknown_ = 0;
};

class UdpTransport : public Transport {
 public:
  UdpTransport(UdpEndpoint& endpoint, asio::ip::udp::endpoint remote);
  ~UdpTransport() override;
  void send(ByteView datagram) override;
  void set_receiver(Receiver receiver) override { receiver_ = std::move(receiver); }
  std::string describe() const override;
  TransportStats stats() const override { return stats_; }
  const asio::ip::udp::endpoint& remote() const { return remote_; }

 private:
  friend class UdpEndpoint;
  void deliver(ByteView datagram, Instant arrival);

  UdpEndpoint& endpoint_;
  asio::ip::udp::endpoint remote_;
  Receiver receiver_;
  TransportStats stats_;
};

}  // namespace peercall
