#pragma once
// An ICE agent gathered before anyone knows which link it will serve: its
// callbacks go through this relay, whose targets the link sets when it takes
// the agent. Everything runs on the network thread.
#include <functional>
#include <memory>

#include "net/ice/ice_agent.hpp"

namespace peercall {

struct IceRelay {
  std::function<void(IceState)> on_state;
  std::function<void(ByteView, Instant)> on_datagram;
  std::function<void()> on_gathering_done;
};

struct GatheredAgent {
  std::unique_ptr<IceAgent> agent;
  std::shared_ptr<IceRelay> relay;
  bool gathered = false;
};

// Creates an agent whose callbacks go to a fresh relay and starts gathering.
Result<GatheredAgent> start_gathering(GlibLoopThread& glib, asio::io_context& io,
                                      const IceConfig& config);

}  // namespace peercall
