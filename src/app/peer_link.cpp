#include "app/peer_link.hpp"

namespace peercall {

PeerLink::PeerLink(asio::io_context& io, GatheredAgent agent,
                   std::unique_ptr<PeerConnection> connection, Duration connect_timeout,
                   EventHandler on_event)
    : timer_(io),
      connect_deadline_(io),
      agent_(std::move(agent)),
      connection_(std::move(connection)),
      on_event_(std::move(on_event)) {
  agent_.relay->on_state = [this](IceState s) { on_ice_state(s); };
  agent_.relay->on_datagram = [this](ByteView d, Instant at) {
    connection_->handle_datagram(d, at);
    drain();
  };
  connect_deadline_.expires_after(connect_timeout);
  connect_deadline_.async_wait([this, alive = alive_, connect_timeout](const boost::system::error_code& ec) {
    if (ec || !*alive || connection_->connected() || connection_->closed()) return;
    fail(writable_ ? "the encrypted connection was not set up within " +
                         std::to_string(to_micros(connect_timeout) / 1000000) + " s (DTLS)"
                   : "no network path to the other side (ICE found no working address pair within " +
                         std::to_string(to_micros(connect_timeout) / 1000000) + " s)");
  });
}

PeerLink::~PeerLink() {
  *alive_ = false;
  agent_.relay->on_state = nullptr;
  agent_.relay->on_datagram = nullptr;
  timer_.cancel();
  connect_deadline_.cancel();
}

Result<Done> PeerLink::connect(const IceCredentials& remote, const std::vector<std::string>& candidates) {
  return agent_.agent->set_remote(remote, candidates);
}

void PeerLink::on_ice_state(IceState state) {
  if (state == IceState::kConnected && !writable_) {
    writable_ = true;
    connection_->on_writable(Clock::now());
    drain();
  } else if (state == IceState::kFailed) {
    fail(connection_->connected() ? "lost the other side: it stopped answering (ICE consent expired)"
                                  : "no network path to the other side (ICE failed)");
  }
}

void PeerLink::fail(std::string why) {
  if (failed_) return;
  failed_ = true;
  on_event_(*this, ConnectionFailed{std::move(why)});
}

void PeerLink::send_video(const EncodedFrame& frame) {
  connection_->send_video(frame, Clock::now());
  drain();
}

Result<Done> PeerLink::send_message(const std::string& text) {
  auto sent = connection_->send_message(text, Clock::now());
  drain();
  return sent;
}

void PeerLink::send_audio(const EncodedFrame& frame) {
  connection_->send_audio(frame, Clock::now());
  drain();
}

void PeerLink::request_keyframe() {
  connection_->request_keyframe(Clock::now());
  drain();
}

void PeerLink::close() {
  if (connection_->closed()) return;
  connection_->close(Clock::now());
  drain();
  timer_.cancel();
  connect_deadline_.cancel();
}

// Sends every datagram, then hands events over. An event handler may destroy
// this link, so nothing touches members after it unless the link is alive.
void PeerLink::drain() {
  auto alive = alive_;
  while (auto output = connection_->poll_output()) {
    if (auto* t = std::get_if<Transmit>(&*output)) {
      agent_.agent->send(t->datagram);
    } else {
      auto& event = std::get<SessionEvent>(*output);
      if (std::holds_alternative<ConnectionFailed>(event)) {
        if (failed_) continue;
        failed_ = true;
      }
      on_event_(*this, std::move(event));
      if (!*alive) return;
    }
  }
  arm_timer();
}

void PeerLink::arm_timer() {
  if (connection_->closed()) return;
  // Most drains (a datagram, a frame) leave the deadline as it was: re-arming
  // would cost a cancel and a new wait each time.
  const auto next = connection_->next_timeout();
  if (!next) return;
  if (armed_ && *next == armed_for_) return;
  armed_ = true;
  armed_for_ = *next;
  timer_.expires_at(*next);
  timer_.async_wait([this, alive = alive_](const boost::system::error_code& ec) {
    if (ec || !*alive) return;
    armed_ = false;
    connection_->handle_timeout(Clock::now());
    drain();
  });
}

}  // namespace peercall
