#pragma once
// One DTLS 1.2 endpoint of a DTLS-SRTP association (RFC 5763/5764), sans-I/O:
// fed the peer's records and the current Instant, it hands back records to
// send, the time it wants to be woken, and once connected the SRTP keys.
// OpenSSL does the protocol; every timer runs on the caller's clock.
//
// Connected means: the handshake finished AND the peer's certificate has the
// fingerprint its SDP announced (expected_remote). Until both, no keys and no
// application data come out.
//
// Not thread-safe: one owner drives it (the network loop).
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/bytes.hpp"
#include "core/dtls_role.hpp"
#include "core/result.hpp"
#include "core/time.hpp"
#include "security/datagram_bio.hpp"
#include "security/dtls_retransmit_timer.hpp"
#include "security/fingerprint.hpp"
#include "security/identity.hpp"
#include "security/openssl_handles.hpp"
#include "security/srtp_profile.hpp"

namespace peercall {

enum class DtlsState { kNew, kConnecting, kConnected, kFailed, kClosed };
const char* to_string(DtlsState state);

struct DtlsConfig {
  DtlsRole role = DtlsRole::kClient;
  std::shared_ptr<const Identity> identity;
  std::optional<Fingerprint> expected_remote;  // from the peer's SDP; required before connected
  Duration handshake_timeout = seconds(10);    // from start() to connected
  size_t mtu = 1200;                           // largest datagram we send (>= 256)
  // Our preference; as the server, ours decides.
  std::vector<SrtpProfile> profiles = {SrtpProfile::kAeadAes128Gcm, SrtpProfile::kAes128CmSha1_80};
  Duration initial_retransmit = milliseconds(250);  // see dtls_retransmit_timer.hpp
  Duration max_retransmit = seconds(3);
};

class DtlsEndpoint {
 public:
  static Result<std::unique_ptr<DtlsEndpoint>> create(const DtlsConfig& config, Instant now);
  ~DtlsEndpoint();
  DtlsEndpoint(const DtlsEndpoint&) = delete;
  DtlsEndpoint& operator=(const DtlsEndpoint&) = delete;

  // Client: sends the ClientHello. Server: waits for it. Starts the handshake
  // deadline. A server also starts on its first datagram.
  void start(Instant now);
  // The peer's fingerprint, if the SDP arrived after create(). A finished
  // handshake waiting for it connects (or fails) now.
  void set_expected_remote(const Fingerprint& fingerprint);
  // A datagram of DTLS record(s) from the peer (first byte 20..63, RFC 7983).
  // Malformed ones are counted and dropped.
  void handle_datagram(ByteView datagram, Instant now);
  void handle_timeout(Instant now);
  // The retransmission or handshake deadline; nullopt when none is pending.
  std::optional<Instant> next_timeout() const;
  // The next datagram for the peer (each <= mtu).
  std::optional<Bytes> poll_datagram();

  DtlsState state() const { return state_; }
  // Why it failed (or closed), one line; "" otherwise.
  const std::string& error() const { return error_; }
  // Once connected; nullopt if no SRTP profile was configured.
  // RFC 5764 4.2: for the client, local = client key || client salt.
  std::optional<SrtpKeyMaterial> srtp_keys() const;
  // The fingerprint of the certificate the peer presented (once it did), in the
  // expected fingerprint's hash (sha-256 if none is known yet).
  std::optional<Fingerprint> remote_fingerprint() const;

  // Sends one record of application data (e.g. SCTP); at most
  // max_application_data() bytes, and only when connected.
  Result<Done> send_application_data(ByteView data, Instant now);
  size_t max_application_data() const;
  std::optional<Bytes> poll_application_data();

  // Sends close_notify (if connected) and becomes kClosed. A close_notify from
  // the peer makes it kClosed too.
  void close(Instant now);

  struct Stats {
    uint64_t records_in = 0;
    uint64_t records_out = 0;
    uint64_t malformed_dropped = 0;  // not DTLS record framing
    uint64_t overflow_dropped = 0;   // arrived while too many were waiting
    uint64_t retransmits = 0;        // flights resent on our timer
  };
  Stats stats() const { return stats_; }

 private:
  explicit DtlsEndpoint(const DtlsConfig& config);
  void drive(Instant now);
  void continue_handshake();
  void on_handshake_finished();
  void check_fingerprint();
  void read_application_data();
  void retransmit(Instant now);
  void sync_timer(Instant now);
  void fail(std::string reason);
  std::string handshake_error();
  static void info_callback(const SSL* ssl, int where, int ret);

  DtlsConfig config_;
  DtlsState state_ = DtlsState::kNew;
  std::string error_;
  DatagramQueues queues_;  // declared before ssl_: the BIO points into it
  SslCtxPtr ctx_;
  SslPtr ssl_;
  DtlsRetransmitTimer timer_;
  std::optional<Instant> handshake_deadline_;
  bool handshake_finished_ = false;
  X509Ptr peer_cert_;
  std::optional<SrtpKeyMaterial> keys_;
  std::deque<Bytes> application_in_;
  std::string peer_alert_;  // description of a fatal alert the peer sent
  Stats stats_;
};

}  // namespace peercall
