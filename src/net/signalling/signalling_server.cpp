#include "net/signalling/signalling_server.hpp"

#include <optional>
#include <spdlog/spdlog.h>
#include <unordered_map>

#include "net/signalling/signalling_connection.hpp"

namespace peercall {
namespace {

std::string bind_failure(const boost::system::error_code& ec, const std::string& address, uint16_t port) {
  if (ec == asio::error::address_in_use)
    return "signalling: port " + std::to_string(port) + " is in use (is another peercall running?)";
  if (ec == asio::error::access_denied)
    return "signalling: not allowed to listen on port " + std::to_string(port) + " (ports below 1024 need root)";
  if (ec == std::errc::address_not_available)
    return "signalling: cannot listen on " + address + ": not an address of this machine";
  return "signalling: cannot listen on " + address + " port " + std::to_string(port) + ": " + ec.message();
}

}  // namespace

struct SignallingServer::Core : std::enable_shared_from_this<Core> {
  Core(asio::io_context& io, std::shared_ptr<const SignallingRouter> router, std::chrono::milliseconds timeout)
      : io(io), router(std::move(router)), timeout(timeout), retry_timer(io) {}

  void accept();
  void on_accept(const boost::system::error_code& ec, asio::ip::tcp::socket socket, unsigned accepted_generation);
  void close_all();

  asio::io_context& io;
  std::shared_ptr<const SignallingRouter> router;
  std::chrono::milliseconds timeout;
  std::optional<asio::ip::tcp::acceptor> acceptor;
  asio::steady_timer retry_timer;
  std::unordered_map<SignallingConnection*, std::weak_ptr<SignallingConnection>> connections;
  unsigned generation = 0;  // bumped by stop(): late accepts of an old acceptor are dropped
};

void SignallingServer::Core::accept() {
  if (!acceptor || !acceptor->is_open()) return;
  acceptor->async_accept(
      [self = shared_from_this(), gen = generation](const boost::system::error_code& ec, asio::ip::tcp::socket socket) {
        self->on_accept(ec, std::move(socket), gen);
      });
}

void SignallingServer::Core::on_accept(const boost::system::error_code& ec, asio::ip::tcp::socket socket,
                                       unsigned accepted_generation) {
  if (accepted_generation != generation || !acceptor || !acceptor->is_open()) return;
  if (ec) {
    // E.g. out of file descriptors: back off instead of spinning on the error.
    spdlog::warn("signalling: accept failed: {}", ec.message());
    retry_timer.expires_after(std::chrono::milliseconds(100));
    retry_timer.async_wait([self = shared_from_this(), gen = generation](const boost::system::error_code& wait_ec) {
      if (!wait_ec && gen == self->generation) self->accept();
    });
    return;
  }
  if (connections.size() >= kMaxConnections) {
    spdlog::debug("signalling: refusing a connection: {} already open", connections.size());
    boost::system::error_code ignored;
    socket.close(ignored);
  } else {
    std::weak_ptr<Core> weak = weak_from_this();
    auto connection = std::make_shared<SignallingConnection>(std::move(socket), router, timeout,
                                                             [weak](SignallingConnection* closed) {
                                                               if (auto core = weak.lock()) core->connections.erase(closed);
                                                             });
    connections.emplace(connection.get(), connection);
    connection->start();
  }
  accept();
}

void SignallingServer::Core::close_all() {
  auto open = std::move(connections);
  connections.clear();
  for (auto& [ptr, weak] : open)
    if (auto connection = weak.lock()) connection->close();
}

SignallingServer::SignallingServer(asio::io_context& io, OfferHandler on_offer, HangupHandler on_hangup,
                                   std::chrono::milliseconds read_timeout)
    : core_(std::make_shared<Core>(
          io, std::make_shared<const SignallingRouter>(std::move(on_offer), std::move(on_hangup)), read_timeout)) {}

SignallingServer::~SignallingServer() { stop(); }

Result<uint16_t> SignallingServer::listen(const std::string& bind_address, uint16_t port) {
  if (core_->acceptor && core_->acceptor->is_open()) return Error{"signalling: already listening"};
  boost::system::error_code ec;
  asio::ip::address address = asio::ip::make_address(bind_address, ec);
  if (ec) return Error{"signalling: bad listen address '" + bind_address + "' (use 0.0.0.0 or ::)"};
  asio::ip::tcp::endpoint endpoint(address, port);
  asio::ip::tcp::acceptor acceptor(core_->io);
  if (acceptor.open(endpoint.protocol(), ec); ec) {
    if (address.is_v6()) return Error{"signalling: IPv6 is not available here (listen on 0.0.0.0 instead)"};
    return Error{"signalling: cannot open a socket: " + ec.message()};
  }
  // "::" serves IPv4 peers too (as mapped addresses), whatever the OS default.
  if (address.is_v6() && address.is_unspecified()) acceptor.set_option(asio::ip::v6_only(false), ec);
  // Lets a restarted listener rebind while old connections sit in TIME_WAIT.
  acceptor.set_option(asio::ip::tcp::acceptor::reuse_address(true), ec);
  if (acceptor.bind(endpoint, ec); ec) return Error{bind_failure(ec, bind_address, port)};
  if (acceptor.listen(asio::socket_base::max_listen_connections, ec); ec)
    return Error{bind_failure(ec, bind_address, port)};
  uint16_t bound = acceptor.local_endpoint(ec).port();
  if (ec) return Error{"signalling: " + ec.message()};
  core_->acceptor.emplace(std::move(acceptor));
  core_->accept();
  return bound;
}

void SignallingServer::stop() {
  ++core_->generation;
  if (core_->acceptor) {
    boost::system::error_code ignored;
    core_->acceptor->close(ignored);
    core_->acceptor.reset();
  }
  core_->retry_timer.cancel();
  core_->close_all();
}

size_t SignallingServer::connection_count() const { return core_->connections.size(); }

}  // namespace peercall
