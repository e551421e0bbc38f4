#pragma once
// One SCTP association (RFC 4960) carried in DTLS application data (RFC 8261),
// configured as WebRTC data channels need it (RFC 8831 section 6), sans-I/O:
// fed the peer's SCTP packets (decrypted DTLS records) and the current
// Instant, it hands back SCTP packets to encrypt and send, events, and the
// time it wants to be woken. usrsctp does the protocol, without threads, on
// an AF_CONN socket; every timer runs on the caller's clock.
//
// Both sides connect (RFC 8841 section 9.3: SCTP's simultaneous open, as
// browsers do), so start() is the same for either DTLS role; the role only
// decides which stream ids the data channel layer may pick.
//
// Not thread-safe: one owner drives it (the network loop). Other
// associations in the process may be driven from other threads.
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <variant>

#include "core/bytes.hpp"
#include "core/dtls_role.hpp"
#include "core/result.hpp"
#include "core/time.hpp"
#include "datachannel/usrsctp_library.hpp"

struct socket;  // usrsctp's

namespace peercall {

struct SctpConfig {
  DtlsRole role = DtlsRole::kClient;
  uint16_t local_port = 5000;   // our a=sctp-port
  uint16_t remote_port = 5000;  // the peer's a=sctp-port
  // Largest message we accept (our a=max-message-size), and the largest the
  // peer accepts (its a=max-message-size; RFC 8841 says 64 KiB if it sent none).
  size_t max_message_size = 256 * 1024;
  size_t remote_max_message_size = 256 * 1024;
  // Largest SCTP packet; must fit one DTLS record (DtlsEndpoint::max_application_data()).
  size_t mtu = 1150;
  uint16_t streams = 1024;              // offered in each direction (INIT)
  size_t send_queue_limit = 4 << 20;    // bytes waiting for usrsctp's send buffer
  Duration timer_interval = milliseconds(10);  // how often usrsctp's timers are driven
};

// How one message is delivered (RFC 8831 6.6: a channel's reliability).
struct SctpSendOptions {
  bool ordered = true;
  std::optional<uint16_t> max_retransmits;  // partial reliability (RFC 3758): at most this many
  std::optional<milliseconds> max_lifetime; // or give up after this long
};

namespace sctp_event {
struct Connected {
  uint16_t outbound_streams = 0;
  uint16_t inbound_streams = 0;
};
struct Message {
  uint16_t stream = 0;
  uint32_t ppid = 0;
  Bytes data;
  bool unordered = false;
};
// A stream direction was reset (RFC 6525). incoming: the peer reset its
// outgoing stream (it closed its side); otherwise our own reset completed.
struct StreamReset {
  uint16_t stream = 0;
  bool incoming = false;
};
struct Closed {
  std::string reason;
};
struct Failed {
  std::string reason;
};
}  // namespace sctp_event

using SctpEvent = std::variant<sctp_event::Connected, sctp_event::Message, sctp_event::StreamReset,
                               sctp_event::Closed, sctp_event::Failed>;

enum class SctpState { kNew, kConnecting, kConnected, kClosed, kFailed };
const char* to_string(SctpState state);

class SctpAssociation {
 public:
  static Result<std::unique_ptr<SctpAssociation>> create(const SctpConfig& config, Instant now);
  ~SctpAssociation();
  SctpAssociation(const SctpAssociation&) = delete;
  SctpAssociation& operator=(const SctpAssociation&) = delete;

  // DTLS is connected: sends our INIT. A packet arriving before start()
  // starts it first (its INIT must not answer a peer's INIT it has not sent).
  void start(Instant now);
  // One SCTP packet from the peer (the plaintext of one DTLS record).
  void handle_packet(ByteView packet, Instant now);
  void handle_timeout(Instant now);
  // When handle_timeout wants to run; nullopt before start() and once closed.
  std::optional<Instant> next_timeout() const;

  // The next SCTP packet for the peer (each <= config.mtu).
  std::optional<Bytes> poll_packet();
  std::optional<SctpEvent> poll_event();

  // Queues one message (1..remote_max_message_size bytes; SCTP cannot carry
  // an empty one). Messages wait, in order, until the association is up and
  // usrsctp's send buffer has room.
  Result<Done> send(uint16_t stream, uint32_t ppid, ByteView data, const SctpSendOptions& options,
                    Instant now);
  // Resets our outgoing side of `stream` (RFC 8831 6.7: closing a channel);
  // usrsctp sends it once the stream's queued data is out.
  Result<Done> reset_stream(uint16_t stream, Instant now);
  // Aborts the association (SO_LINGER 0: an ABORT chunk, still polled from
  // poll_packet). Becomes kClosed.
  void close(Instant now);

  SctpState state() const { return state_; }
  const std::string& error() const { return error_; }
  const SctpConfig& config() const { return config_; }
  // Bytes accepted by send() and not yet handed to usrsctp.
  size_t queued_bytes() const { return queued_bytes_; }

  struct Stats {
    uint64_t packets_in = 0;
    uint64_t packets_out = 0;
    uint64_t messages_in = 0;
    uint64_t messages_out = 0;  // fully handed to usrsctp
    uint64_t oversized_dropped = 0;  // inbound messages over max_message_size
    uint64_t send_failed = 0;        // usrsctp refused or gave up (partial reliability)
    uint64_t malformed_dropped = 0;  // packets too short to be SCTP
  };
  Stats stats() const { return stats_; }

 private:
  explicit SctpAssociation(const SctpConfig& config) : config_(config) {}
  Result<Done> open_socket();
  void drive(Instant now);  // after every call into usrsctp
  void receive_all();
  void on_data(ByteView chunk, int flags, uint16_t stream, uint32_t ppid, bool unordered);
  void on_notification(ByteView chunk, int flags);
  void handle_notification(ByteView notification);
  void flush_sends();
  void fail(std::string reason);
  void closed(std::string reason);

  struct Pending {
    uint16_t stream;
    uint32_t ppid;
    Bytes data;
    size_t sent = 0;  // bytes usrsctp has taken (explicit EOR: a message may go in parts)
    SctpSendOptions options;
    bool reset = false;  // not a message: reset `stream` once what came before is out
  };

  SctpConfig config_;
  UsrsctpLibrary::Handle library_;  // before socket_: usrsctp outlives the socket
  struct ::socket* socket_ = nullptr;
  bool attached_ = false;
  SctpState state_ = SctpState::kNew;
  std::string error_;
  std::optional<Instant> last_timer_;
  mutable std::mutex packets_mutex_;  // another association's timer may emit ours
  std::deque<Bytes> packets_out_;     // filled by usrsctp's output callback
  uint64_t packets_out_count_ = 0;
  std::deque<SctpEvent> events_;
  std::deque<Pending> sends_;
  size_t queued_bytes_ = 0;
  Bytes partial_message_;        // a message usrsctp delivers in parts
  bool partial_oversized_ = false;
  Bytes partial_notification_;
  Stats stats_;
};

}  // namespace peercall
