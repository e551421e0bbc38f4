#include "app/peer_link.hpp"

namespace peercall {

PeerLink::PeerLink(asio::io_context& io, std::shared_ptr<Transport> transport,
                   const SessionConfig& config, EventHandler on_event)
    : timer_(io),
      transport_(std::move(transport)),
      session_(config, Clock::now()),
      on_event_(std::move(on_event)) {
  transport_->set_receiver([this](ByteView datagram, Instant arrival) {
    session_.handle_datagram(datagram, arrival);
    drain();
  });
  session_.handle_timeout(Clock::now());
  drain();
}

PeerLink::~PeerLink() {
  *alive_ = false;
  transport_->set_receiver(nullptr);
  timer_.cancel();
}

void PeerLink::send_video(const EncodedFrame& frame) {
  session_.send_video(frame, Clock::now());
  drain();
}

void PeerLink::send_audio(const EncodedFrame& frame) {
  session_.send_audio(frame, Clock::now());
  drain();
}

void PeerLink::request_keyframe() {
  session_.request_keyframe(Clock::now());
  drain();
}

void PeerLink::close() {
  if (session_.closed()) return;
  session_.close(Clock::now());
  drain();
  timer_.cancel();
}

// Sends every datagram, then hands events over. An event handler may destroy
// this link, so nothing touches members after it unless the link is alive.
void PeerLink::drain() {
  auto alive = alive_;
  while (auto output = session_.poll_output()) {
    if (auto* t = std::get_if<Transmit>(&*output)) {
      transport_->send(t->datagram);
    } else {
      on_event_(*this, std::move(std::get<SessionEvent>(*output)));
      if (!*alive) return;
    }
  }
  arm_timer();
}

void PeerLink::arm_timer() {
  if (session_.closed()) return;
  // Most drains (a datagram, a frame) leave the deadline as it was: re-arming
  // would cost a cancel and a new wait each time.
  const Instant next = session_.next_timeout();
  if (armed_ && next == armed_for_) return;
  armed_ = true;
  armed_for_ = next;
  timer_.expires_at(next);
  timer_.async_wait([this, alive = alive_](const boost::system::error_code& ec) {
    if (ec || !*alive) return;
    armed_ = false;
    session_.handle_timeout(Clock::now());
    drain();
  });
}

}  // namespace peercall
