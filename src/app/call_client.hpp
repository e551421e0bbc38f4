#pragma once
// The calling side's set-up (call, watch): HTTPS to the listener, its
// certificate checked against --expect-fingerprint and known_peers, our ICE
// candidates gathered, the offer POSTed with the invitation code as bearer
// token, the answer checked (its DTLS fingerprint must be the HTTPS
// certificate's: one identity for both), and the PeerLink started. Runs on
// the main thread, blocking, while the network thread runs the agent.
#include <memory>
#include <string>

#include "app/link_set.hpp"
#include "app/peer_trust.hpp"
#include "net/signalling/signalling_client.hpp"
#include "sdp/offer_answer.hpp"

namespace peercall {

struct CallClientConfig {
  bool watch = false;  // a viewer (POST /whep) rather than a caller (/whip)
  std::string host;
  uint16_t port = 0;
  std::string code;
  IceConfig ice;
  Duration peer_timeout = seconds(15);  // a silent peer is given up after this
  Duration connect_timeout = seconds(10);
  LocalMediaConfig local;
};

struct CallFailure {
  bool connect_failed;  // exit 3 rather than 1
  std::string message;
};

class CallClient {
 public:
  using LinkEvent = std::function<void(const std::string& id, SessionEvent)>;

  CallClient(asio::io_context& io, GlibLoopThread& glib, PeerTrust& trust, LinkSet& links,
             CallClientConfig config, LinkEvent on_link_event);

  // Sets the call up; the link is in `links` under "peer" on success.
  std::optional<CallFailure> place_call();
  // Best effort, after BYE: DELETE the session so the server frees it at once.
  void hang_up();
  std::string remote_fingerprint() const { return remote_fingerprint_; }

 private:
  asio::io_context& io_;
  GlibLoopThread& glib_;
  PeerTrust& trust_;
  LinkSet& links_;
  CallClientConfig config_;
  LinkEvent on_link_event_;
  std::unique_ptr<SignallingClient> client_;
  std::string location_;
  std::string remote_fingerprint_;
};

}  // namespace peercall
