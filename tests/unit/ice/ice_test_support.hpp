#pragma once
// Two IceAgents on one GLib loop and one io_context pumped by the test thread:
// every callback runs on the test thread, waits are bounded by deadlines.
#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/asio.hpp"
#include "net/ice/ice_agent.hpp"

namespace peercall::test {

// Runs the io_context until done() holds or `limit` passes; true if it held.
inline bool run_until(asio::io_context& io, const std::function<bool()>& done,
                      Duration limit = seconds(10)) {
  const Instant deadline = Clock::now() + limit;
  while (!done()) {
    if (Clock::now() >= deadline) return false;
    io.run_one_for(milliseconds(20));
  }
  return true;
}

// One side of a call as the tests see it: the agent and what it reported.
struct Peer {
  std::unique_ptr<IceAgent> agent;
  std::vector<IceState> states;
  std::vector<Bytes> received;
  bool gathered = false;

  bool has_state(IceState s) const {
    for (IceState x : states) if (x == s) return true;
    return false;
  }
};

inline IceConfig loopback_config(bool controlling) {
  IceConfig config;
  config.controlling = controlling;
  config.bind_address = "127.0.0.1";
  return config;
}

// Creates the agent with callbacks that record into the Peer.
inline void open_peer(Peer& peer, GlibLoopThread& glib, asio::io_context& io, const IceConfig& config) {
  IceAgent::Callbacks callbacks;
  callbacks.on_state = [&peer](IceState s) { peer.states.push_back(s); };
  callbacks.on_datagram = [&peer](ByteView d, Instant) { peer.received.emplace_back(d.begin(), d.end()); };
  callbacks.on_gathering_done = [&peer] { peer.gathered = true; };
  auto created = IceAgent::create(glib, io, config, std::move(callbacks));
  ASSERT_TRUE(created.ok()) << created.error();
  peer.agent = std::move(*created);
}

// Gathers both, exchanges credentials and candidates (offer/answer), waits for both connected.
inline void connect_peers(asio::io_context& io, Peer& a, Peer& b, Duration limit = seconds(15)) {
  ASSERT_TRUE(a.agent->gather().ok());
  ASSERT_TRUE(b.agent->gather().ok());
  ASSERT_TRUE(run_until(io, [&] { return a.gathered && b.gathered; }, limit)) << "gathering did not finish";
  auto a_candidates = a.agent->local_candidates();
  auto b_candidates = b.agent->local_candidates();
  ASSERT_FALSE(a_candidates.empty());
  ASSERT_FALSE(b_candidates.empty());
  ASSERT_TRUE(b.agent->set_remote(a.agent->local_credentials(), a_candidates).ok());
  ASSERT_TRUE(a.agent->set_remote(b.agent->local_credentials(), b_candidates).ok());
  ASSERT_TRUE(run_until(io, [&] {
    return a.agent->state() == IceState::kConnected && b.agent->state() == IceState::kConnected;
  }, limit)) << "not connected: " << to_string(a.agent->state()) << " / " << to_string(b.agent->state());
}

inline Bytes numbered(uint32_t n, size_t size = 200) {
  Bytes d(size);
  for (size_t i = 0; i < size; ++i) d[i] = uint8_t((n * 31 + i) & 0xFF);
  d[0] = 0x80;  // looks like RTP, as peercall's media would
  d[1] = uint8_t(n >> 16);
  d[2] = uint8_t(n >> 8);
  d[3] = uint8_t(n);
  return d;
}

// Sends `count` numbered datagrams from -> to and waits until all arrived intact.
inline void exchange(asio::io_context& io, Peer& from, Peer& to, uint32_t count) {
  const size_t before = to.received.size();
  const uint64_t sent_before = from.agent->stats().sent;
  for (uint32_t n = 0; n < count; ++n) {
    from.agent->send(numbered(n));
    if (n % 10 == 9) io.poll();  // let the receiver drain as a real loop would
  }
  EXPECT_EQ(from.agent->stats().sent - sent_before, count);
  ASSERT_TRUE(run_until(io, [&] { return to.received.size() >= before + count; }, seconds(5)))
      << "received " << to.received.size() - before << " of " << count;
  for (uint32_t n = 0; n < count; ++n) {
    EXPECT_EQ(to.received[before + n], numbered(n)) << "datagram " << n;
  }
}

}  // namespace peercall::test
