#pragma once
// The call's one text channel: a WebRTC data channel labelled "peercall"
// (chat lines and mute / camera state, JSON: src/chat), on SCTP over the
// call's DTLS, so it is as end-to-end encrypted as the media. Sans-I/O, driven
// by PeerConnection: SCTP packets in and out through DTLS application data.
//
// Who opens it: the DTLS client, once connected, unless the peer opened one
// first; a browser opens its own before its offer. Any open channel with the
// label is accepted; we send on the first. Lines sent before a channel is
// open wait (a few only: chat is for people, not for bulk).
#include <deque>
#include <memory>
#include <optional>
#include <string>

#include "core/dtls_role.hpp"
#include "datachannel/data_channel_endpoint.hpp"

namespace peercall {

struct MessageChannelConfig {
  DtlsRole role = DtlsRole::kClient;
  uint16_t remote_port = 5000;             // the peer's a=sctp-port
  size_t remote_max_message_size = 65536;  // the peer's a=max-message-size
  size_t mtu = 1150;                       // fits one DTLS record
};

struct MessageChannelStats {
  uint64_t sent = 0, received = 0;
  uint64_t dropped = 0;  // no channel came up in time, or the association failed
  DataChannelEndpoint::Stats endpoint{};
};

class MessageChannel {
 public:
  static constexpr size_t kMaxWaiting = 16;

  static Result<std::unique_ptr<MessageChannel>> create(const MessageChannelConfig& config, Instant now);

  // DTLS is connected: SCTP starts.
  void start(Instant now);
  void handle_packet(ByteView sctp, Instant now);
  void handle_timeout(Instant now);
  std::optional<Instant> next_timeout() const;
  std::optional<Bytes> poll_packet() { return endpoint_->poll_packet(); }

  // Error: the line is too big for the peer, or the association has failed.
  Result<Done> send(std::string text, Instant now);
  std::optional<std::string> poll_message();
  bool open() const { return channel_.has_value(); }
  void shutdown(Instant now) { endpoint_->shutdown(now); }
  MessageChannelStats stats() const;

 private:
  MessageChannel(const MessageChannelConfig& config, std::unique_ptr<DataChannelEndpoint> endpoint)
      : config_(config), endpoint_(std::move(endpoint)) {}
  void pump(Instant now);
  void flush_waiting(Instant now);

  MessageChannelConfig config_;
  std::unique_ptr<DataChannelEndpoint> endpoint_;
  std::optional<uint16_t> channel_;
  bool opened_ours_ = false;
  std::deque<std::string> waiting_, received_;
  MessageChannelStats counts_;
};

}  // namespace peercall
