#pragma once
// What a call negotiates beside its audio and video codecs: the data channel
// (m=application UDP/DTLS/SCTP webrtc-datachannel, RFC 8841) for chat and
// state, and transport-wide congestion control (the header extension's
// a=extmap and a=rtcp-fb transport-cc, as browsers offer them).
#include <cstdint>
#include <optional>
#include <string>

#include "sdp/session_description.hpp"
#include "sdp/transport_attributes.hpp"

namespace peercall {

inline constexpr const char* kDataChannelProtocol = "UDP/DTLS/SCTP";
inline constexpr const char* kDataChannelFormat = "webrtc-datachannel";
inline constexpr uint16_t kSctpPort = 5000;
inline constexpr size_t kOurMaxMessageSize = 256 * 1024;
// The transport-wide sequence number's id in our offers (browsers use 3 too).
inline constexpr uint8_t kTransportCcExtensionId = 3;
inline constexpr const char* kTransportCcUri =
    "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01";

struct NegotiatedDataChannel {
  bool enabled = false;
  std::string mid;
  uint16_t remote_port = kSctpPort;
  size_t remote_max_message_size = 65536;  // RFC 8841: when the peer says nothing
};

// Our m=application line (port 9, our transport, a=sctp-port, a=max-message-size).
MediaDescription data_channel_media(const std::string& mid, const TransportDescription& transport, DtlsSetup setup);
bool is_data_channel(const MediaDescription& m);
// The peer's SCTP port and message limit from its m=application line.
NegotiatedDataChannel read_data_channel(const MediaDescription& m);

// a=extmap:<id> <transport-cc URI> on an RTP m-line, and transport-cc feedback on its codecs.
void add_transport_cc(MediaDescription& m, uint8_t id);
// The id the m-line gives the transport-wide sequence number (0 = none).
uint8_t transport_cc_id(const MediaDescription& m);

}  // namespace peercall

namespace peercall {

// FlexFEC (RFC 8627) for video, between peercalls (browsers do not negotiate
// it by default): a=rtpmap:<pt> flexfec/90000 with a repair window, and the
// FEC stream's SSRC grouped with the media one (a=ssrc-group:FEC-FR).
inline constexpr uint8_t kFlexFecPayloadType = 118;
void add_flexfec(MediaDescription& m, uint8_t payload_type, uint32_t media_ssrc, uint32_t fec_ssrc);
const Codec* find_flexfec(const MediaDescription& m);
// The FEC SSRC the m-line groups with `media` (0 = none said).
uint32_t fec_ssrc_of(const MediaDescription& m, uint32_t media);

// RED (RFC 2198) + ULPFEC (RFC 5109), how browsers take video FEC: both
// offered on the m-line (red/90000, ulpfec/90000), and when the call uses RTX
// the RTX entry for red too, or null. libwebrtc receives them with any
// codec, but sends none with H.264 and NACK.
struct RedUlpfec {
  const Codec* red = nullptr;
  const Codec* ulpfec = nullptr;
  const Codec* red_rtx = nullptr;  // null without RTX
};
std::optional<RedUlpfec> find_red_ulpfec(const MediaDescription& m, bool rtx);

}  // namespace peercall
