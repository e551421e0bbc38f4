#pragma once
// ICE (RFC 8445) for one call: one libnice agent with one stream of one
// component (BUNDLE + rtcp-mux), full (non-trickle) gathering of host,
// server-reflexive (STUN) and relayed (TURN over UDP or TCP) candidates.
//
// Threads: libnice runs on the GlibLoopThread; everything it reports is posted
// to the io_context, so the callbacks, state(), selected_pair() and stats() are
// for the io_context's thread (the network thread). Create, use and destroy the
// agent on that thread (or while the io_context is not running). The
// GlibLoopThread must outlive every agent on it.
//
// Consent (RFC 7675): libnice 0.1.21's consent freshness sends one check every
// 4-6 s, never retransmitted, and declares consent lost after 10 s without a
// response (compile-time constants, agent-priv.h). On a lossy link two checks
// in a row are lost often enough (20% loss each way: 1 in 8 per 10 s) to end
// good calls, so it is off, and consent is ours: while connected, when no
// datagram has arrived for consent_timeout, the agent reports kFailed and
// stops sending. Above it, the session ends the call sooner, counting only
// packets that authenticate (SRTP/SRTCP from the peer we agreed keys with),
// so nobody else can keep us sending. libnice still answers the peer's own
// checks (browsers send them) and keeps the binding alive. kFailed and
// kClosed are final.
#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/asio.hpp"
#include "core/bytes.hpp"
#include "core/result.hpp"
#include "core/time.hpp"
#include "net/ice/glib_loop_thread.hpp"
#include "net/ice/ice_config.hpp"

typedef struct _NiceAgent NiceAgent;

namespace peercall {

class IceAgent {
 public:
  struct Callbacks {  // all invoked on the io_context's thread, never after ~IceAgent
    std::function<void(IceState)> on_state;
    std::function<void(ByteView datagram, Instant arrival)> on_datagram;
    std::function<void()> on_gathering_done;
  };
  struct Stats {
    uint64_t sent = 0;
    uint64_t send_dropped = 0;  // not connected yet / any more, or the socket refused it
    uint64_t received = 0;
    uint64_t remote_candidates_skipped = 0;  // malformed, hostname (mDNS), TCP or component != 1
  };

  // Resolves STUN/TURN host names (blocking getaddrinfo: call set-up only).
  static Result<std::unique_ptr<IceAgent>> create(GlibLoopThread& glib, asio::io_context& io,
                                                  const IceConfig& config, Callbacks callbacks);
  ~IceAgent();  // closes the agent (TURN allocations freed asynchronously on the GLib thread)
  IceAgent(const IceAgent&) = delete;
  IceAgent& operator=(const IceAgent&) = delete;

  // Starts gathering (on_state(kGathering) is called before it returns);
  // on_gathering_done once every candidate is known.
  Result<Done> gather();
  IceCredentials local_credentials() const;
  // SDP attribute values, "candidate:1 1 UDP 2015363327 198.18.0.1 40000 typ host".
  std::vector<std::string> local_candidates() const;
  // Starts the connectivity checks. Lines that are malformed or unusable are
  // skipped and counted; "end-of-candidates" is ignored; none usable -> Error.
  Result<Done> set_remote(const IceCredentials& credentials,
                          const std::vector<std::string>& candidates);

  // Dropped and counted unless connected: no media to an address that has not
  // answered a check.
  void send(ByteView datagram);

  IceState state() const { return state_; }
  // "127.0.0.1:40000 (host) -> 127.0.0.1:40002 (host)", "" before a pair is chosen.
  std::string selected_pair() const { return selected_pair_; }
  Stats stats() const { return stats_; }

 private:
  struct Shared;  // what libnice's callbacks reach: the alive flag and the way back here

  IceAgent(GlibLoopThread& glib, asio::io_context& io, const IceConfig& config,
           Callbacks callbacks);
  Result<Done> open(const IceConfig& config);  // on the GLib thread
  void apply_state(IceState state);
  void deliver(const Bytes& datagram, Instant arrival);
  void arm_watchdog();

  GlibLoopThread& glib_;
  asio::io_context& io_;
  Callbacks callbacks_;
  Duration consent_timeout_;
  bool relay_only_;
  std::shared_ptr<Shared> shared_;
  NiceAgent* agent_ = nullptr;
  unsigned stream_id_ = 0;

  // Network thread only.
  IceState state_ = IceState::kNew;
  std::string selected_pair_;
  Stats stats_;
  Instant last_heard_{};
  asio::steady_timer watchdog_;
};

}  // namespace peercall
