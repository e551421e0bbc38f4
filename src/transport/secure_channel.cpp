#include "transport/secure_channel.hpp"

#include "transport/packet_class.hpp"

namespace peercall {

Result<std::unique_ptr<SecureChannel>> SecureChannel::create(const DtlsConfig& config, Instant now) {
  auto dtls = DtlsEndpoint::create(config, now);
  if (!dtls) return Error{dtls.error()};
  return std::unique_ptr<SecureChannel>(new SecureChannel(std::move(*dtls)));
}

void SecureChannel::start(Instant now) {
  dtls_->start(now);
  pump_dtls();
}

void SecureChannel::fail(std::string why) {
  if (state_ == ChannelState::kFailed || state_ == ChannelState::kClosed) return;
  state_ = ChannelState::kFailed;
  error_ = std::move(why);
  drop_keys();  // no more media either way
}

void SecureChannel::drop_keys() {
  if (srtp_) srtp_final_ = srtp_->stats();
  srtp_.reset();
}

// Moves DTLS output to the wire and follows its state: keys on connect.
void SecureChannel::pump_dtls() {
  while (auto record = dtls_->poll_datagram()) wire_out_.push_back(std::move(*record));
  while (auto data = dtls_->poll_application_data()) application_in_.push_back(std::move(*data));
  switch (dtls_->state()) {
    case DtlsState::kConnected:
      if (!srtp_ && state_ == ChannelState::kConnecting) {
        auto keys = dtls_->srtp_keys();
        if (!keys) return fail("DTLS finished without SRTP keys (no use_srtp)");
        auto srtp = SrtpSession::create(*keys);
        if (!srtp) return fail(srtp.error());
        srtp_ = std::move(*srtp);
        profile_ = keys->profile;
        state_ = ChannelState::kConnected;
      }
      break;
    case DtlsState::kFailed: fail(dtls_->error()); break;
    case DtlsState::kClosed:
      if (state_ != ChannelState::kFailed) state_ = ChannelState::kClosed;
      drop_keys();
      break;
    default: break;
  }
}

void SecureChannel::handle_wire(ByteView datagram, Instant now) {
  switch (classify_packet(datagram)) {
    case PacketClass::kDtls:
      dtls_->handle_datagram(datagram, now);
      pump_dtls();
      return;
    case PacketClass::kRtp:
    case PacketClass::kRtcp: {
      if (!srtp_) {
        ++counts_.dropped_rejected;  // before keys: nothing can be authenticated
        return;
      }
      Bytes packet(datagram.begin(), datagram.end());
      auto ok = classify_packet(datagram) == PacketClass::kRtcp ? srtp_->unprotect_rtcp(packet)
                                                                : srtp_->unprotect_rtp(packet);
      if (!ok) {
        ++counts_.dropped_rejected;
        return;
      }
      plain_out_.push_back(std::move(packet));
      return;
    }
    case PacketClass::kStun: ++counts_.stun_ignored; return;
    default: ++counts_.dropped_unknown; return;
  }
}

void SecureChannel::send_plain(Bytes packet, Instant) {
  if (!srtp_) {
    ++counts_.dropped_before_keys;
    return;
  }
  auto ok = classify_packet(packet) == PacketClass::kRtcp ? srtp_->protect_rtcp(packet)
                                                          : srtp_->protect_rtp(packet);
  if (!ok) {
    ++counts_.dropped_before_keys;
    return;
  }
  wire_out_.push_back(std::move(packet));
}

void SecureChannel::handle_timeout(Instant now) {
  dtls_->handle_timeout(now);
  pump_dtls();
}

std::optional<Instant> SecureChannel::next_timeout() const {
  if (state_ == ChannelState::kFailed || state_ == ChannelState::kClosed) return std::nullopt;
  return dtls_->next_timeout();
}

void SecureChannel::close(Instant now) {
  if (state_ == ChannelState::kClosed || state_ == ChannelState::kFailed) return;
  dtls_->close(now);
  pump_dtls();
  state_ = ChannelState::kClosed;
  drop_keys();
}

std::optional<Bytes> SecureChannel::poll_wire() {
  if (wire_out_.empty()) return std::nullopt;
  Bytes out = std::move(wire_out_.front());
  wire_out_.pop_front();
  return out;
}

std::optional<Bytes> SecureChannel::poll_plain() {
  if (plain_out_.empty()) return std::nullopt;
  Bytes out = std::move(plain_out_.front());
  plain_out_.pop_front();
  return out;
}

Result<Done> SecureChannel::send_application(ByteView data, Instant now) {
  if (state_ != ChannelState::kConnected) return Error{"dtls: not connected"};
  auto sent = dtls_->send_application_data(data, now);
  pump_dtls();
  return sent;
}

std::optional<Bytes> SecureChannel::poll_application() {
  if (application_in_.empty()) return std::nullopt;
  Bytes out = std::move(application_in_.front());
  application_in_.pop_front();
  return out;
}

SecureChannelStats SecureChannel::stats() const {
  SecureChannelStats s = counts_;
  s.dtls = dtls_->stats();
  s.srtp = srtp_ ? srtp_->stats() : srtp_final_;
  return s;
}

}  // namespace peercall
