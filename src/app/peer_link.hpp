#pragma once
// The only place a PeerSession meets real time and a real transport: on the
// network thread, it feeds the session datagrams, frames and timer expiries
// with Clock::now(), sends what it outputs and passes its events on.
#include "core/asio.hpp"
#include <functional>
#include <memory>

#include "net/transport.hpp"
#include "session/peer_session.hpp"

namespace peercall {

class PeerLink {
 public:
  using EventHandler = std::function<void(PeerLink&, SessionEvent)>;

  PeerLink(asio::io_context& io, std::shared_ptr<Transport> transport, const SessionConfig& config,
           EventHandler on_event);
  ~PeerLink();
  PeerLink(const PeerLink&) = delete;
  PeerLink& operator=(const PeerLink&) = delete;

  void send_video(const EncodedFrame& frame);
  void send_audio(const EncodedFrame& frame);
  void request_keyframe();
  // Says goodbye (RTCP BYE) and stops; safe to call twice.
  void close();

  SessionStats stats() const { return session_.stats(); }
  TransportStats transport_stats() const { return transport_->stats(); }
  std::string describe() const { return transport_->describe(); }
  bool closed() const { return session_.closed(); }

 private:
  void drain();
  void arm_timer();

  asio::steady_timer timer_;
  std::shared_ptr<Transport> transport_;
  PeerSession session_;
  EventHandler on_event_;
  bool armed_ = false;
  Instant armed_for_{};
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace peercall
