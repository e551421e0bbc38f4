#include "datachannel/data_channel_endpoint.hpp"

#include <algorithm>

namespace peercall {
namespace {

// DCEP itself always travels ordered and reliable (RFC 8832 section 6).
const SctpSendOptions kReliableOrdered{};

ByteView as_bytes(std::string_view s) {
  return ByteView(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

// SCTP cannot carry an empty message: one byte stands for it (RFC 8831 6.6).
const uint8_t kEmptyPayload[1] = {0};

}  // namespace

Result<std::unique_ptr<DataChannelEndpoint>> DataChannelEndpoint::create(const SctpConfig& config,
                                                                         Instant now) {
  auto association = SctpAssociation::create(config, now);
  if (!association) return Error(association.error());
  return std::unique_ptr<DataChannelEndpoint>(new DataChannelEndpoint(std::move(*association)));
}

void DataChannelEndpoint::start(Instant now) {
  association_->start(now);
  pump(now);
}

void DataChannelEndpoint::handle_packet(ByteView sctp_packet, Instant now) {
  association_->handle_packet(sctp_packet, now);
  pump(now);
}

void DataChannelEndpoint::handle_timeout(Instant now) {
  association_->handle_timeout(now);
  pump(now);
}

std::optional<Instant> DataChannelEndpoint::next_timeout() const {
  return association_->next_timeout();
}

std::optional<Bytes> DataChannelEndpoint::poll_packet() { return association_->poll_packet(); }

std::optional<DataChannelEvent> DataChannelEndpoint::poll_event() {
  if (events_.empty()) return std::nullopt;
  DataChannelEvent event = std::move(events_.front());
  events_.pop_front();
  return event;
}

bool DataChannelEndpoint::ours(uint16_t stream) const {
  bool even = stream % 2 == 0;
  return association_->config().role == DtlsRole::kClient ? even : !even;
}

std::optional<uint16_t> DataChannelEndpoint::free_stream() const {
  uint32_t limit = association_->config().streams;
  if (outbound_streams_ > 0) limit = std::min<uint32_t>(limit, outbound_streams_);
  for (uint32_t id = association_->config().role == DtlsRole::kClient ? 0 : 1; id < limit;
       id += 2) {
    auto sid = static_cast<uint16_t>(id);
    if (!channels_.count(sid) && !resetting_.count(sid)) return sid;
  }
  return std::nullopt;
}

Result<uint16_t> DataChannelEndpoint::open(std::string_view label, std::string_view protocol,
                                           Instant now, const DataChannelOptions& options) {
  std::optional<uint16_t> stream = free_stream();
  if (!stream) return Error("datachannel: no free stream for another channel");
  DcepOpen open{options.reliability, options.priority, std::string(label), std::string(protocol)};
  auto wire = write_dcep_open(open);
  if (!wire) return Error(wire.error());
  if (auto sent = association_->send(*stream, ppid::kDcep, *wire, kReliableOrdered, now); !sent)
    return Error(sent.error());
  channels_[*stream] = Channel{ChannelState::kOpening, std::move(open)};
  pump(now);
  return *stream;
}

Result<Done> DataChannelEndpoint::send_text(uint16_t channel, std::string_view text,
                                            Instant now) {
  if (!is_valid_utf8(text)) return Error("datachannel: text is not UTF-8");
  if (text.empty()) return send_user(channel, ppid::kStringEmpty, kEmptyPayload, now);
  return send_user(channel, ppid::kString, as_bytes(text), now);
}

Result<Done> DataChannelEndpoint::send_binary(uint16_t channel, ByteView data, Instant now) {
  if (data.empty()) return send_user(channel, ppid::kBinaryEmpty, kEmptyPayload, now);
  return send_user(channel, ppid::kBinary, data, now);
}

Result<Done> DataChannelEndpoint::send_user(uint16_t channel, uint32_t ppid, ByteView payload,
                                            Instant now) {
  auto it = channels_.find(channel);
  if (it == channels_.end() || it->second.state == ChannelState::kClosing)
    return Error("datachannel: channel " + std::to_string(channel) + " is not open");
  const ChannelReliability& rel = it->second.open.reliability;
  SctpSendOptions options;
  // Until the ACK, ordered behind the OPEN so that the peer knows the channel.
  options.ordered = it->second.state == ChannelState::kOpening || rel.ordered;
  options.max_retransmits = rel.max_retransmits;
  if (rel.max_lifetime_ms) options.max_lifetime = milliseconds(*rel.max_lifetime_ms);
  auto sent = association_->send(channel, ppid, payload, options, now);
  pump(now);
  return sent;
}

Result<Done> DataChannelEndpoint::close(uint16_t channel, Instant now) {
  auto it = channels_.find(channel);
  if (it == channels_.end() || it->second.state == ChannelState::kClosing)
    return Error("datachannel: channel " + std::to_string(channel) + " is not open");
  if (auto reset = association_->reset_stream(channel, now); !reset) return reset;
  it->second.state = ChannelState::kClosing;
  resetting_.insert(channel);
  pump(now);
  return Done{};
}

void DataChannelEndpoint::shutdown(Instant now) {
  association_->close(now);
  channels_.clear();
  resetting_.clear();
}

std::optional<std::string> DataChannelEndpoint::label(uint16_t channel) const {
  auto it = channels_.find(channel);
  if (it == channels_.end() || it->second.state == ChannelState::kClosing) return std::nullopt;
  return it->second.open.label;
}

bool DataChannelEndpoint::is_open(uint16_t channel) const {
  auto it = channels_.find(channel);
  return it != channels_.end() && it->second.state == ChannelState::kOpen;
}

DataChannelEndpoint::Stats DataChannelEndpoint::stats() const {
  Stats s = stats_;
  s.sctp = association_->stats();
  return s;
}

// Turns the association's events into channel events. The association only
// queues while usrsctp runs, so nothing here is re-entered from usrsctp.
void DataChannelEndpoint::pump(Instant now) {
  while (auto event = association_->poll_event()) {
    if (auto* up = std::get_if<sctp_event::Connected>(&*event)) {
      outbound_streams_ = up->outbound_streams;
      events_.push_back(channel_event::Connected{});
    } else if (auto* message = std::get_if<sctp_event::Message>(&*event)) {
      on_message(*message, now);
    } else if (auto* reset = std::get_if<sctp_event::StreamReset>(&*event)) {
      on_stream_reset(*reset, now);
    } else if (auto* closed = std::get_if<sctp_event::Closed>(&*event)) {
      on_disconnected(closed->reason, false);
    } else if (auto* failed = std::get_if<sctp_event::Failed>(&*event)) {
      on_disconnected(failed->reason, true);
    }
  }
}

void DataChannelEndpoint::on_message(sctp_event::Message& message, Instant now) {
  if (message.ppid == ppid::kDcep) {
    on_dcep(message.stream, message.data, now);
    return;
  }
  auto it = channels_.find(message.stream);
  if (it == channels_.end() || it->second.state == ChannelState::kClosing) {
    ++stats_.data_dropped;
    return;
  }
  Channel& channel = it->second;
  if (channel.state == ChannelState::kOpening) {
    // Data on it means the peer took our OPEN; its ACK is on the way.
    channel.state = ChannelState::kOpen;
    ++stats_.channels_opened;
    events_.push_back(channel_event::ChannelOpened{message.stream, channel.open.label,
                                                   channel.open.protocol, false});
  }
  switch (message.ppid) {
    case ppid::kString: {
      std::string text(message.data.begin(), message.data.end());
      if (!is_valid_utf8(text)) {
        ++stats_.data_dropped;
        return;
      }
      events_.push_back(channel_event::TextReceived{message.stream, std::move(text)});
      return;
    }
    case ppid::kStringEmpty:
      events_.push_back(channel_event::TextReceived{message.stream, {}});
      return;
    case ppid::kBinary:
      events_.push_back(channel_event::BinaryReceived{message.stream, std::move(message.data)});
      return;
    case ppid::kBinaryEmpty:
      events_.push_back(channel_event::BinaryReceived{message.stream, {}});
      return;
    default:
      ++stats_.data_dropped;  // 52/54 (deprecated partial messages) and unknown PPIDs
      return;
  }
}

void DataChannelEndpoint::on_dcep(uint16_t stream, ByteView payload, Instant now) {
  auto parsed = parse_dcep(payload);
  if (!parsed) {
    ++stats_.dcep_rejected;
    return;
  }
  auto it = channels_.find(stream);
  if (std::holds_alternative<DcepAck>(*parsed)) {
    if (it == channels_.end() || it->second.state != ChannelState::kOpening) {
      // Nothing to acknowledge (or data already counted as the ACK).
      if (it == channels_.end() || it->second.state != ChannelState::kOpen) ++stats_.dcep_rejected;
      return;
    }
    it->second.state = ChannelState::kOpen;
    ++stats_.channels_opened;
    events_.push_back(channel_event::ChannelOpened{stream, it->second.open.label,
                                                   it->second.open.protocol, false});
    return;
  }
  // An OPEN: on the peer's parity, on a stream not in use.
  if (ours(stream) || it != channels_.end() || resetting_.count(stream)) {
    ++stats_.dcep_rejected;
    return;
  }
  DcepOpen& open = std::get<DcepOpen>(*parsed);
  if (auto ack = association_->send(stream, ppid::kDcep, write_dcep_ack(), kReliableOrdered, now);
      !ack) {
    ++stats_.dcep_rejected;
    return;
  }
  ++stats_.channels_opened;
  events_.push_back(channel_event::ChannelOpened{stream, open.label, open.protocol, true});
  channels_[stream] = Channel{ChannelState::kOpen, std::move(open)};
}

void DataChannelEndpoint::on_stream_reset(const sctp_event::StreamReset& reset, Instant now) {
  if (!reset.incoming) {
    resetting_.erase(reset.stream);  // our side is reset: the id is free again
    return;
  }
  // The peer will send no more on it: reset ours too, and the channel is closed.
  auto it = channels_.find(reset.stream);
  if (it == channels_.end()) return;
  if (it->second.state != ChannelState::kClosing) {
    if (association_->reset_stream(reset.stream, now)) resetting_.insert(reset.stream);
  }
  channels_.erase(it);
  events_.push_back(channel_event::ChannelClosed{reset.stream});
}

void DataChannelEndpoint::on_disconnected(std::string reason, bool failed) {
  for (auto& [id, channel] : channels_) events_.push_back(channel_event::ChannelClosed{id});
  channels_.clear();
  resetting_.clear();
  events_.push_back(channel_event::Disconnected{std::move(reason), failed});
}

}  // namespace peercall
