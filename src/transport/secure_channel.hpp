#pragma once
// DTLS-SRTP on one path (RFC 5764), sans-I/O: wire datagrams in and out on one
// side, plain RTP/RTCP in and out on the other. Nothing plain leaves before
// the handshake has finished with the fingerprint the peer's SDP promised;
// nothing unauthenticated reaches the session.
//
//   session --send_plain--> [SRTP protect]   --poll_wire-->  transport
//   session <--poll_plain-- [SRTP unprotect] <--handle_wire-- transport
//                           [DTLS handshake, timers]
#include <deque>
#include <memory>
#include <optional>

#include "security/dtls_endpoint.hpp"
#include "security/srtp_session.hpp"

namespace peercall {

enum class ChannelState { kConnecting, kConnected, kFailed, kClosed };

struct SecureChannelStats {
  DtlsEndpoint::Stats dtls{};
  SrtpSession::Stats srtp{};
  uint64_t dropped_before_keys = 0;  // plain packets the session sent too early
  uint64_t dropped_unknown = 0;      // wire datagrams of no class we speak (RFC 7983)
  uint64_t dropped_rejected = 0;     // SRTP/SRTCP that failed authentication, replays, malformed
  uint64_t stun_ignored = 0;         // STUN reaching us (the ICE agent answers its own)
};

class SecureChannel {
 public:
  static Result<std::unique_ptr<SecureChannel>> create(const DtlsConfig& config, Instant now);

  // The path is writable (ICE connected): the DTLS client sends its hello.
  void start(Instant now);
  void handle_wire(ByteView datagram, Instant now);
  // Protects the packet in place (it is the session's own copy: no second one).
  void send_plain(Bytes rtp_or_rtcp, Instant now);
  void handle_timeout(Instant now);
  std::optional<Instant> next_timeout() const;
  // Says goodbye (DTLS close_notify) after whatever the session sent last.
  void close(Instant now);

  std::optional<Bytes> poll_wire();
  std::optional<Bytes> poll_plain();
  // DTLS application data (SCTP for the data channel), once connected.
  Result<Done> send_application(ByteView data, Instant now);
  std::optional<Bytes> poll_application();
  size_t max_application_data() const { return dtls_->max_application_data(); }

  ChannelState state() const { return state_; }
  const std::string& error() const { return error_; }
  std::optional<Fingerprint> remote_fingerprint() const { return dtls_->remote_fingerprint(); }
  std::optional<SrtpProfile> profile() const { return profile_; }
  SecureChannelStats stats() const;

 private:
  explicit SecureChannel(std::unique_ptr<DtlsEndpoint> dtls) : dtls_(std::move(dtls)) {}
  void pump_dtls();
  void fail(std::string why);
  void drop_keys();

  std::unique_ptr<DtlsEndpoint> dtls_;
  std::unique_ptr<SrtpSession> srtp_;
  SrtpSession::Stats srtp_final_{};  // kept once the keys are gone
  std::optional<SrtpProfile> profile_;
  ChannelState state_ = ChannelState::kConnecting;
  std::string error_;
  std::deque<Bytes> wire_out_, plain_out_, application_in_;
  SecureChannelStats counts_;
};

}  // namespace peercall
