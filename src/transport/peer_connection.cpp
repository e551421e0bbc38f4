#include "transport/peer_connection.hpp"

namespace peercall {

Result<std::unique_ptr<PeerConnection>> PeerConnection::create(const PeerConnectionConfig& config,
                                                               Instant now) {
  auto channel = SecureChannel::create(config.dtls, now);
  if (!channel) return Error{channel.error()};
  return std::unique_ptr<PeerConnection>(new PeerConnection(config, std::move(*channel)));
}

void PeerConnection::on_writable(Instant now) {
  channel_->start(now);
  pump(now);
}

void PeerConnection::handle_datagram(ByteView wire, Instant now) {
  if (closed_) return;
  channel_->handle_wire(wire, now);
  pump(now);
}

void PeerConnection::send_video(const EncodedFrame& frame, Instant now) {
  if (!connected()) {
    ++frames_before_connected_;
    return;
  }
  session_->send_video(frame, now);
  pump(now);
}

void PeerConnection::send_audio(const EncodedFrame& frame, Instant now) {
  if (!connected()) {
    ++frames_before_connected_;
    return;
  }
  session_->send_audio(frame, now);
  pump(now);
}

void PeerConnection::request_keyframe(Instant now) {
  if (!connected()) return;
  session_->request_keyframe(now);
  pump(now);
}

void PeerConnection::handle_timeout(Instant now) {
  if (closed_) return;
  channel_->handle_timeout(now);
  if (session_) session_->handle_timeout(now);
  pump(now);
}

void PeerConnection::close(Instant now) {
  if (closed_) return;
  if (session_) session_->close(now);
  pump(now);
  closed_ = true;  // from here on our own close_notify is no news to report
  channel_->close(now);
  pump(now);
}

void PeerConnection::pump(Instant now) {
  for (bool moved = true; moved;) {
    moved = false;
    if (!session_ && channel_->state() == ChannelState::kConnected && !closed_) {
      session_ = std::make_unique<PeerSession>(config_.session, now);
      session_->handle_timeout(now);  // first RTCP at once: the peer learns our SSRCs
      Connected event;
      if (auto fp = channel_->remote_fingerprint()) event.remote_fingerprint = fp->to_string();
      outputs_.emplace_back(SessionEvent{std::move(event)});
    }
    while (auto plain = channel_->poll_plain()) {
      moved = true;
      if (session_) session_->handle_datagram(*plain, now);
    }
    if (session_) {
      while (auto out = session_->poll_output()) {
        moved = true;
        if (auto* t = std::get_if<Transmit>(&*out))
          channel_->send_plain(std::move(t->datagram), now);
        else
          outputs_.push_back(std::move(*out));
      }
    }
    while (auto wire = channel_->poll_wire()) outputs_.emplace_back(Transmit{std::move(*wire)});
  }
  if (channel_->state() == ChannelState::kFailed && !failed_reported_) {
    failed_reported_ = true;
    outputs_.emplace_back(SessionEvent{ConnectionFailed{channel_->error()}});
  }
  if (channel_->state() == ChannelState::kClosed && !closed_ && !failed_reported_) {
    // The peer's close_notify: the call is over even if its BYE got lost.
    failed_reported_ = true;
    outputs_.emplace_back(SessionEvent{PeerHungUp{}});
  }
}

std::optional<SessionOutput> PeerConnection::poll_output() {
  if (outputs_.empty()) return std::nullopt;
  SessionOutput out = std::move(outputs_.front());
  outputs_.pop_front();
  return out;
}

std::optional<Instant> PeerConnection::next_timeout() const {
  if (closed_) return std::nullopt;
  std::optional<Instant> next = channel_->next_timeout();
  if (session_) {
    const Instant s = session_->next_timeout();
    if (!next || s < *next) next = s;
  }
  return next;
}

PeerConnectionStats PeerConnection::stats() const {
  PeerConnectionStats s;
  if (session_) s.session = session_->stats();
  s.channel = channel_->stats();
  s.frames_before_connected = frames_before_connected_;
  return s;
}

}  // namespace peercall
