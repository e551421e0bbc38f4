#include "transport/message_channel.hpp"

#include "chat/chat_message.hpp"

namespace peercall {

Result<std::unique_ptr<MessageChannel>> MessageChannel::create(const MessageChannelConfig& config, Instant now) {
  SctpConfig sctp;
  sctp.role = config.role;
  sctp.remote_port = config.remote_port;
  sctp.remote_max_message_size = config.remote_max_message_size;
  sctp.mtu = config.mtu;
  auto endpoint = DataChannelEndpoint::create(sctp, now);
  if (!endpoint) return Error{endpoint.error()};
  return std::unique_ptr<MessageChannel>(new MessageChannel(config, std::move(*endpoint)));
}

void MessageChannel::start(Instant now) {
  endpoint_->start(now);
  pump(now);
}

void MessageChannel::handle_packet(ByteView sctp, Instant now) {
  endpoint_->handle_packet(sctp, now);
  pump(now);
}

void MessageChannel::handle_timeout(Instant now) {
  endpoint_->handle_timeout(now);
  pump(now);
}

std::optional<Instant> MessageChannel::next_timeout() const { return endpoint_->next_timeout(); }

Result<Done> MessageChannel::send(std::string text, Instant now) {
  if (endpoint_->state() == SctpState::kFailed || endpoint_->state() == SctpState::kClosed) {
    ++counts_.dropped;
    return Error{"chat: the data channel is closed"};
  }
  if (!channel_) {
    if (waiting_.size() >= kMaxWaiting) {
      ++counts_.dropped;
      return Error{"chat: the data channel is not open yet"};
    }
    waiting_.push_back(std::move(text));
    return Done{};
  }
  auto sent = endpoint_->send_text(*channel_, text, now);
  if (!sent) {
    ++counts_.dropped;
    return sent;
  }
  ++counts_.sent;
  return Done{};
}

std::optional<std::string> MessageChannel::poll_message() {
  if (received_.empty()) return std::nullopt;
  std::string text = std::move(received_.front());
  received_.pop_front();
  return text;
}

void MessageChannel::pump(Instant now) {
  while (auto event = endpoint_->poll_event()) {
    if (std::holds_alternative<channel_event::Connected>(*event)) {
      // The DTLS client opens the channel unless the peer already did.
      if (config_.role == DtlsRole::kClient && !channel_ && !opened_ours_) {
        opened_ours_ = true;
        if (auto id = endpoint_->open(kChatChannelLabel, "", now)) channel_ = *id;
      }
    } else if (auto* opened = std::get_if<channel_event::ChannelOpened>(&*event)) {
      if (opened->label == kChatChannelLabel && !channel_) channel_ = opened->channel;
    } else if (auto* text = std::get_if<channel_event::TextReceived>(&*event)) {
      if (endpoint_->label(text->channel) == std::optional<std::string>(std::string(kChatChannelLabel))) {
        ++counts_.received;
        received_.push_back(std::move(text->text));
      }
    } else if (auto* closed = std::get_if<channel_event::ChannelClosed>(&*event)) {
      if (channel_ == closed->channel) channel_.reset();
    } else if (std::holds_alternative<channel_event::Disconnected>(*event)) {
      channel_.reset();
      counts_.dropped += waiting_.size();
      waiting_.clear();
    }
  }
  flush_waiting(now);
}

void MessageChannel::flush_waiting(Instant now) {
  while (channel_ && !waiting_.empty()) {
    std::string text = std::move(waiting_.front());
    waiting_.pop_front();
    if (endpoint_->send_text(*channel_, text, now))
      ++counts_.sent;
    else
      ++counts_.dropped;
  }
}

MessageChannelStats MessageChannel::stats() const {
  MessageChannelStats s = counts_;
  s.endpoint = endpoint_->stats();
  return s;
}

}  // namespace peercall
