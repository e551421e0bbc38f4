#pragma once
// One peer, end to end and sans-I/O: the secure channel (DTLS-SRTP) below the
// media session (RTP/RTCP streams). The driver feeds it wire datagrams,
// encoded frames and timeouts with the current instant, and drains
// poll_output(): datagrams for the transport and events for the app.
//
// The session starts only once the channel is connected (keys agreed, the
// peer's certificate matched), so its peer timeout and its first keyframe
// request count from then. Frames sent before are dropped and counted.
#include <deque>
#include <memory>

#include "session/peer_session.hpp"
#include "transport/message_channel.hpp"
#include "transport/secure_channel.hpp"

namespace peercall {

struct PeerConnectionConfig {
  SessionConfig session;
  DtlsConfig dtls;
  // The data channel for chat and state, when the SDP has an m=application
  // (its role is set from dtls.role).
  std::optional<MessageChannelConfig> messages;
};

struct PeerConnectionStats {
  SessionStats session;
  SecureChannelStats channel;
  MessageChannelStats messages;
  uint64_t frames_before_connected = 0;
};

class PeerConnection {
 public:
  static Result<std::unique_ptr<PeerConnection>> create(const PeerConnectionConfig& config,
                                                        Instant now);

  // The transport can carry datagrams now (ICE found a pair): start DTLS.
  void on_writable(Instant now);
  void handle_datagram(ByteView wire, Instant now);
  void send_video(const EncodedFrame& frame, Instant now);
  void send_audio(const EncodedFrame& frame, Instant now);
  void request_keyframe(Instant now);
  // One line on the data channel (chat or state JSON). Error: no channel was
  // negotiated, or it cannot take the line.
  Result<Done> send_message(std::string text, Instant now);
  void handle_timeout(Instant now);
  // RTCP BYE, then DTLS close_notify; nothing is sent afterwards.
  void close(Instant now);

  std::optional<SessionOutput> poll_output();
  std::optional<Instant> next_timeout() const;

  bool connected() const { return session_ != nullptr && !closed_; }
  bool messages_open() const { return messages_ && messages_->open(); }
  bool closed() const { return closed_; }
  std::optional<Fingerprint> remote_fingerprint() const { return channel_->remote_fingerprint(); }
  PeerConnectionStats stats() const;

 private:
  PeerConnection(const PeerConnectionConfig& config, std::unique_ptr<SecureChannel> channel,
                 std::unique_ptr<MessageChannel> messages)
      : config_(config), channel_(std::move(channel)), messages_(std::move(messages)) {}
  void pump_messages(Instant now);
  // Moves everything between channel and session until both are quiet.
  void pump(Instant now);

  PeerConnectionConfig config_;
  std::unique_ptr<SecureChannel> channel_;
  std::unique_ptr<PeerSession> session_;
  std::unique_ptr<MessageChannel> messages_;
  bool messages_started_ = false;
  std::deque<SessionOutput> outputs_;
  bool closed_ = false;
  bool failed_reported_ = false;
  uint64_t frames_before_connected_ = 0;
};

}  // namespace peercall
