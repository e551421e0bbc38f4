#include "net/signalling/signalling_server.hpp"

#include <map>
#include <optional>
#include <spdlog/spdlog.h>
#include <unordered_map>

#include "net/signalling/address_text.hpp"
#include "net/signalling/signalling_connection.hpp"
#include "net/signalling/tls_context.hpp"

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
  Core(asio::io_context& io, SignallingServerConfig config)
      : io(io),
        config(std::move(config)),
        router(std::make_shared<const SignallingRouter>(this->config.page_html, this->config.offer_routes,
                                                        this->config.on_hangup)),
        counters(std::make_shared<SignallingCounters>()),
        retry_timer(io) {}

  void accept();
  void on_accept(const boost::system::error_code& ec, asio::ip::tcp::socket socket, unsigned accepted_generation);
  // Makes room for one more connection; false if every connection is busy.
  bool make_room();
  void admit(asio::ip::tcp::socket socket, const std::string& address);
  void forget(uint64_t id);
  void close_all();

  asio::io_context& io;
  SignallingServerConfig config;
  std::shared_ptr<const SignallingRouter> router;
  std::shared_ptr<SignallingCounters> counters;
  std::shared_ptr<asio::ssl::context> tls;
  std::optional<asio::ip::tcp::acceptor> acceptor;
  asio::steady_timer retry_timer;
  // By id, which is the accept order: the first entries are the oldest.
  std::map<uint64_t, std::weak_ptr<SignallingConnection>> connections;
  std::map<uint64_t, std::string> address_of;
  std::unordered_map<std::string, size_t> per_address;
  std::atomic<size_t> open_count{0};
  uint64_t next_id = 1;
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
  boost::system::error_code remote_ec;
  auto remote = socket.remote_endpoint(remote_ec);
  std::string address = remote_ec ? std::string("?") : address_text(remote.address());
  auto refuse = [&](const char* why) {
    spdlog::debug("signalling: refusing a connection from {}: {}", address, why);
    ++counters->refused;
    boost::system::error_code ignored;
    socket.close(ignored);
  };
  if (remote_ec) {
    refuse("it is gone already");
  } else if (per_address[address] >= config.limits.max_connections_per_address) {
    refuse("too many connections from there");
  } else if (connections.size() >= config.limits.max_connections && !make_room()) {
    refuse("every connection is busy");
  } else {
    admit(std::move(socket), address);
  }
  if (per_address.count(address) && per_address[address] == 0) per_address.erase(address);
  accept();
}

bool SignallingServer::Core::make_room() {
  std::shared_ptr<SignallingConnection> victim;
  for (bool idle_only : {true, false}) {
    for (auto& [id, weak] : connections) {
      auto connection = weak.lock();
      if (connection && (idle_only ? connection->idle() : connection->evictable())) {
        victim = std::move(connection);
        break;
      }
    }
    if (victim) break;
  }
  if (!victim) return false;
  spdlog::debug("signalling: evicting the oldest idle connection (from {})", victim->remote_address());
  ++counters->evicted;
  victim->close();  // forgets itself
  return true;
}

void SignallingServer::Core::admit(asio::ip::tcp::socket socket, const std::string& address) {
  boost::system::error_code ignored;
  socket.set_option(asio::ip::tcp::no_delay(true), ignored);
  uint64_t id = next_id++;
  std::weak_ptr<Core> weak = weak_from_this();
  auto connection = std::make_shared<SignallingConnection>(id, std::move(socket), tls, router, config.limits, counters,
                                                           [weak](uint64_t closed) {
                                                             if (auto core = weak.lock()) core->forget(closed);
                                                           });
  connections.emplace(id, connection);
  address_of.emplace(id, address);
  ++per_address[address];
  open_count = connections.size();
  ++counters->connections;
  connection->start();
}

void SignallingServer::Core::forget(uint64_t id) {
  if (!connections.erase(id)) return;
  auto it = address_of.find(id);
  if (it != address_of.end()) {
    auto count = per_address.find(it->second);
    if (count != per_address.end() && --count->second == 0) per_address.erase(count);
    address_of.erase(it);
  }
  open_count = connections.size();
}

void SignallingServer::Core::close_all() {
  auto open = std::move(connections);
  connections.clear();
  address_of.clear();
  per_address.clear();
  open_count = 0;
  for (auto& [id, weak] : open)
    if (auto connection = weak.lock()) connection->close();
}

SignallingServer::SignallingServer(asio::io_context& io, SignallingServerConfig config)
    : core_(std::make_shared<Core>(io, std::move(config))) {}

SignallingServer::~SignallingServer() { stop(); }

Result<uint16_t> SignallingServer::listen() { return listen(core_->config.bind_address, core_->config.port); }

Result<uint16_t> SignallingServer::listen(const std::string& bind_address, uint16_t port) {
  if (core_->acceptor && core_->acceptor->is_open()) return Error{"signalling: already listening"};
  if (!core_->tls) {
    auto tls = make_server_tls_context(core_->config.certificate_pem, core_->config.private_key_pem);
    if (!tls) return Error{tls.error()};
    core_->tls = std::move(*tls);
  }
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

size_t SignallingServer::connection_count() const { return core_->open_count.load(); }

SignallingStats SignallingServer::stats() const { return core_->counters->snapshot(); }

}  // namespace peercall
