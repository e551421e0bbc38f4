#include "net/udp/udp_endpoint.hpp"

namespace peercall {

namespace {
constexpr size_t kMaxDatagram = 65536;
// Room for bursts of keyframe packets while the network thread is busy.
constexpr int kSocketBufferBytes = 4 * 1024 * 1024;

// IPv4-mapped IPv6 sources are the same peer as their IPv4 form.
asio::ip::udp::endpoint normalise(const asio::ip::udp::endpoint& ep) {
  const auto& a = ep.address();
  if (a.is_v6() && a.to_v6().is_v4_mapped())
    return {asio::ip::make_address_v4(asio::ip::v4_mapped, a.to_v6()), ep.port()};
  return ep;
}
}  // namespace

UdpEndpoint::UdpEndpoint(asio::io_context& io) : socket_(io), buffer_(kMaxDatagram) {}

UdpEndpoint::~UdpEndpoint() { close(); }

Result<uint16_t> UdpEndpoint::open(const asio::ip::address& bind_address, uint16_t port) {
  boost::system::error_code ec;
  asio::ip::udp::endpoint local(bind_address, port);
  socket_.open(local.protocol(), ec);
  if (ec) return Error{"udp: cannot open a socket"};
  v6_socket_ = bind_address.is_v6();
  if (v6_socket_) socket_.set_option(asio::ip::v6_only(false), ec);
  socket_.set_option(asio::socket_base::receive_buffer_size(kSocketBufferBytes), ec);
  socket_.set_option(asio::socket_base::send_buffer_size(kSocketBufferBytes), ec);
  socket_.bind(local, ec);
  if (ec == asio::error::address_in_use) return Error{"udp: the media port is already in use"};
  if (ec) return Error{"udp: cannot bind the media port"};
  start_receive();
  return socket_.local_endpoint().port();
}

void UdpEndpoint::close() {
  boost::system::error_code ec;
  socket_.close(ec);
}

std::shared_ptr<UdpTransport> UdpEndpoint::connect(const asio::ip::udp::endpoint& remote) {
  return std::make_shared<UdpTransport>(*this, normalise(remote));
}

void UdpEndpoint::start_receive() {
  socket_.async_receive_from(
      asio::buffer(buffer_), sender_, [this](const boost::system::error_code& ec, size_t n) {
        if (ec == asio::error::operation_aborted || !socket_.is_open()) return;
        if (!ec) {
          const Instant arrival = Clock::now();
          ByteView datagram(buffer_.data(), n);
          const auto from = normalise(sender_);
          if (auto it = peers_.find(from); it != peers_.end()) {
            it->second->deliver(datagram, arrival);
          } else if (on_unknown_) {
            on_unknown_(from, datagram, arrival);
          } else {
            ++unknown_;
          }
        }
        // Errors such as ICMP port unreachable (ECONNREFUSED) are per-datagram: keep going.
        start_receive();
      });
}

void UdpEndpoint::send_to(const asio::ip::udp::endpoint& to, ByteView datagram,
                          TransportStats& stats) {
  boost::system::error_code ec;
  asio::ip::udp::endpoint destination = to;
  // A dual-stack socket reaches IPv4 peers through their IPv4-mapped form.
  if (v6_socket_ && to.address().is_v4())
    destination = {asio::ip::make_address_v6(asio::ip::v4_mapped, to.address().to_v4()), to.port()};
  socket_.send_to(asio::buffer(datagram.data(), datagram.size()), destination, 0, ec);
  if (ec) {
    ++stats.send_errors;
    return;
  }
  ++stats.datagrams_sent;
  stats.bytes_sent += datagram.size();
}

void UdpEndpoint::forget(const asio::ip::udp::endpoint& remote) {
  auto it = peers_.find(remote);
  if (it != peers_.end()) peers_.erase(it);
}

UdpTransport::UdpTransport(UdpEndpoint& endpoint, asio::ip::udp::endpoint remote)
    : endpoint_(endpoint), remote_(std::move(remote)) {
  endpoint_.peers_[remote_] = this;
}

UdpTransport::~UdpTransport() { endpoint_.forget(remote_); }

void UdpTransport::send(ByteView datagram) { endpoint_.send_to(remote_, datagram, stats_); }

void UdpTransport::deliver(ByteView datagram, Instant arrival) {
  ++stats_.datagrams_received;
  stats_.bytes_received += datagram.size();
  if (receiver_) receiver_(datagram, arrival);
}

std::string UdpTransport::describe() const {
  return "udp " + remote_.address().to_string() + ":" + std::to_string(remote_.port());
}

}  // namespace peercall
