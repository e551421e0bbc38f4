#include "app/ice_relay.hpp"

namespace peercall {

Result<GatheredAgent> start_gathering(GlibLoopThread& glib, asio::io_context& io,
                                      const IceConfig& config) {
  auto relay = std::make_shared<IceRelay>();
  IceAgent::Callbacks callbacks;
  callbacks.on_state = [relay](IceState s) {
    if (relay->on_state) relay->on_state(s);
  };
  callbacks.on_datagram = [relay](ByteView d, Instant at) {
    if (relay->on_datagram) relay->on_datagram(d, at);
  };
  callbacks.on_gathering_done = [relay] {
    if (relay->on_gathering_done) relay->on_gathering_done();
  };
  auto agent = IceAgent::create(glib, io, config, std::move(callbacks));
  if (!agent) return Error{agent.error()};
  if (auto ok = (*agent)->gather(); !ok) return Error{ok.error()};
  return GatheredAgent{std::move(*agent), relay, false};
}

}  // namespace peercall
