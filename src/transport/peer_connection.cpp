#include "transport/peer_connection.hpp"

#include <algorithm>

namespace peercall {

Result<std::unique_ptr<PeerConnection>> PeerConnection::create(const PeerConnectionConfig& config,
                                                               Instant now) {
  auto channel = SecureChannel::create(config.dtls, now);
  if (!channel) return Error{channel.error()};
  std::unique_ptr<MessageChannel> messages;
  if (config.messages) {
    MessageChannelConfig mc = *config.messages;
    mc.role = config.dtls.role;
    // Before the handshake the record overhead is unknown (0): 1150 fits any suite at MTU 1200.
    if (const size_t room = (*channel)->max_application_data(); room >= 512) mc.mtu = std::min(mc.mtu, room);
    auto created = MessageChannel::create(mc, now);
    if (!created) return Error{created.error()};
    messages = std::move(*created);
  }
  return std::unique_ptr<PeerConnection>(new PeerConnection(config, std::move(*channel), std::move(messages)));
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

Result<Done> PeerConnection::send_message(std::string text, Instant now) {
  if (!messages_) return Error{"chat: the other side has no data channel"};
  if (closed_) return Error{"chat: the call is over"};
  auto sent = messages_->send(std::move(text), now);
  pump(now);
  return sent;
}

void PeerConnection::handle_timeout(Instant now) {
  if (closed_) return;
  channel_->handle_timeout(now);
  if (messages_ && messages_started_) messages_->handle_timeout(now);
  if (session_) session_->handle_timeout(now);
  pump(now);
}

void PeerConnection::close(Instant now) {
  if (closed_) return;
  if (session_) session_->close(now);
  if (messages_ && messages_started_) messages_->shutdown(now);
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
    if (messages_) pump_messages(now);
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

// SCTP between DTLS and the data channel; its lines out as PeerMessage.
void PeerConnection::pump_messages(Instant now) {
  if (channel_->state() != ChannelState::kConnected) return;
  if (!messages_started_) {
    messages_started_ = true;
    messages_->start(now);
  }
  while (auto data = channel_->poll_application()) messages_->handle_packet(*data, now);
  while (auto packet = messages_->poll_packet()) (void)channel_->send_application(*packet, now);
  while (auto text = messages_->poll_message()) outputs_.emplace_back(SessionEvent{PeerMessage{std::move(*text)}});
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
  if (messages_ && messages_started_) {
    if (auto m = messages_->next_timeout(); m && (!next || *m < *next)) next = *m;
  }
  return next;
}

PeerConnectionStats PeerConnection::stats() const {
  PeerConnectionStats s;
  if (session_) s.session = session_->stats();
  s.channel = channel_->stats();
  if (messages_) s.messages = messages_->stats();
  s.frames_before_connected = frames_before_connected_;
  return s;
}

}  // namespace peercall
