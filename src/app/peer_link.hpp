#pragma once
// The only place a PeerConnection meets real time and a real network: on the
// network thread, it feeds the connection what the ICE agent receives and the
// frames the encoders make, with Clock::now(); sends what the connection
// outputs over the agent and passes its events on.
#include <functional>
#include <memory>

#include "app/ice_relay.hpp"
#include "core/asio.hpp"
#include "transport/peer_connection.hpp"

namespace peercall {

class PeerLink {
 public:
  using EventHandler = std::function<void(PeerLink&, SessionEvent)>;

  // `agent` has gathered; `remote` are the peer's credentials and candidates.
  PeerLink(asio::io_context& io, GatheredAgent agent, std::unique_ptr<PeerConnection> connection,
           Duration connect_timeout, EventHandler on_event);
  ~PeerLink();
  PeerLink(const PeerLink&) = delete;
  PeerLink& operator=(const PeerLink&) = delete;

  // Starts connectivity checks toward the peer.
  Result<Done> connect(const IceCredentials& remote, const std::vector<std::string>& candidates);
  void send_video(const EncodedFrame& frame);
  void send_audio(const EncodedFrame& frame);
  void request_keyframe();
  Result<Done> send_message(const std::string& text);
  // Says goodbye (RTCP BYE, DTLS close_notify) and stops; safe to call twice.
  void close();

  PeerConnectionStats stats() const { return connection_->stats(); }
  IceAgent::Stats ice_stats() const { return agent_.agent->stats(); }
  std::string path() const { return agent_.agent->selected_pair(); }
  bool connected() const { return connection_->connected(); }
  bool closed() const { return connection_->closed(); }

 private:
  void on_ice_state(IceState state);
  void drain();
  void arm_timer();
  void fail(std::string why);

  asio::steady_timer timer_;
  asio::steady_timer connect_deadline_;
  GatheredAgent agent_;
  std::unique_ptr<PeerConnection> connection_;
  EventHandler on_event_;
  bool writable_ = false;
  bool failed_ = false;
  bool armed_ = false;
  Instant armed_for_{};
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace peercall
