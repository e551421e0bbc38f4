#pragma once
// WebRTC data channels (RFC 8831) on one SCTP association, opened with DCEP
// (RFC 8832), sans-I/O: the transport feeds it the SCTP packets DTLS
// decrypted and sends what poll_packet() returns as DTLS application data,
// exactly as it drives the DtlsEndpoint:
//
//   transport --handle_packet(sctp, now)--> [channels | SCTP (usrsctp)] --poll_packet--> DTLS
//   app <--poll_event (opened, text, binary, closed)--   <--open/send_text/send_binary/close--
//
// A channel is one SCTP stream id, used in both directions. The DTLS client
// opens channels on even ids, the server on odd ones (RFC 8832 section 6),
// so both sides may open at once without colliding. A channel can carry
// messages at once after open(): they are sent ordered behind the OPEN until
// the peer's ACK arrives. Closing resets the stream (RFC 8831 6.7); the
// channel is closed once the peer has reset its side too.
//
// Not thread-safe: one owner drives it (the network loop).
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <variant>

#include "datachannel/dcep.hpp"
#include "datachannel/sctp_association.hpp"

namespace peercall {

struct DataChannelOptions {
  ChannelReliability reliability;  // default: reliable and ordered
  uint16_t priority = 256;
};

namespace channel_event {
struct Connected {};  // the association is up: channels open both ways now
struct ChannelOpened {
  uint16_t channel = 0;
  std::string label;
  std::string protocol;
  bool by_peer = false;  // the peer's OPEN (else: the peer ACKed ours)
};
struct TextReceived {
  uint16_t channel = 0;
  std::string text;
};
struct BinaryReceived {
  uint16_t channel = 0;
  Bytes data;
};
struct ChannelClosed {
  uint16_t channel = 0;
};
// The association is gone (every open channel got ChannelClosed first).
struct Disconnected {
  std::string reason;
  bool failed = false;  // lost or refused, rather than shut down
};
}  // namespace channel_event

using DataChannelEvent =
    std::variant<channel_event::Connected, channel_event::ChannelOpened,
                 channel_event::TextReceived, channel_event::BinaryReceived,
                 channel_event::ChannelClosed, channel_event::Disconnected>;

class DataChannelEndpoint {
 public:
  static Result<std::unique_ptr<DataChannelEndpoint>> create(const SctpConfig& config,
                                                             Instant now);

  // DTLS connected: the association starts (see SctpAssociation::start).
  void start(Instant now);
  void handle_packet(ByteView sctp_packet, Instant now);
  void handle_timeout(Instant now);
  std::optional<Instant> next_timeout() const;
  std::optional<Bytes> poll_packet();
  std::optional<DataChannelEvent> poll_event();

  // Opens a channel (sends DATA_CHANNEL_OPEN; before the association is up it
  // waits in the queue). Returns its id, usable at once.
  Result<uint16_t> open(std::string_view label, std::string_view protocol, Instant now,
                        const DataChannelOptions& options = {});
  // PPID 51 (56 for ""). Text must be UTF-8.
  Result<Done> send_text(uint16_t channel, std::string_view text, Instant now);
  // PPID 53 (57 for none).
  Result<Done> send_binary(uint16_t channel, ByteView data, Instant now);
  // Resets the channel's stream; ChannelClosed follows when the peer reset its side.
  Result<Done> close(uint16_t channel, Instant now);
  // Aborts the association: every channel ends without further events.
  void shutdown(Instant now);

  bool connected() const { return association_->state() == SctpState::kConnected; }
  SctpState state() const { return association_->state(); }
  const std::string& error() const { return association_->error(); }
  // The channel's label, while it is opening or open.
  std::optional<std::string> label(uint16_t channel) const;
  bool is_open(uint16_t channel) const;

  struct Stats {
    SctpAssociation::Stats sctp{};
    uint64_t channels_opened = 0;
    uint64_t dcep_rejected = 0;     // malformed, duplicate, wrong parity, unexpected ACK
    uint64_t data_dropped = 0;      // on no open channel, unknown PPID, text not UTF-8
  };
  Stats stats() const;

 private:
  enum class ChannelState { kOpening, kOpen, kClosing };
  struct Channel {
    ChannelState state;
    DcepOpen open;
  };

  explicit DataChannelEndpoint(std::unique_ptr<SctpAssociation> association)
      : association_(std::move(association)) {}
  void pump(Instant now);
  void on_message(sctp_event::Message& message, Instant now);
  void on_dcep(uint16_t stream, ByteView payload, Instant now);
  void on_stream_reset(const sctp_event::StreamReset& reset, Instant now);
  void on_disconnected(std::string reason, bool failed);
  std::optional<uint16_t> free_stream() const;
  bool ours(uint16_t stream) const;
  Result<Done> send_user(uint16_t channel, uint32_t ppid, ByteView payload, Instant now);

  std::unique_ptr<SctpAssociation> association_;
  std::map<uint16_t, Channel> channels_;
  std::set<uint16_t> resetting_;  // our outgoing reset not yet done: not reusable
  uint16_t outbound_streams_ = 0;  // negotiated, once connected
  std::deque<DataChannelEvent> events_;
  Stats stats_;
};

}  // namespace peercall
