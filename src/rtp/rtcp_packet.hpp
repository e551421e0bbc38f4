#pragma once
// RTCP packets (RFC 3550 section 6, RFC 4585 feedback) as plain structs in a
// variant, with compound parse/build. Only what a 1:1 call needs is modelled;
// other packet types are skipped when parsing.
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "core/bytes.hpp"
#include "core/result.hpp"
#include "rtp/transport_feedback.hpp"

namespace peercall {

inline constexpr size_t kRtcpMaxReportBlocks = 31;  // 5-bit count field

enum class RtcpType : uint8_t {
  kSenderReport = 200,
  kReceiverReport = 201,
  kSourceDescription = 202,
  kBye = 203,
  kTransportFeedback = 205,  // RTPFB
  kPayloadFeedback = 206,    // PSFB
};

struct ReportBlock {
  uint32_t ssrc = 0;
  uint8_t fraction_lost = 0;             // 1/256 units, since the previous report
  int32_t cumulative_lost = 0;           // 24-bit signed on the wire (clamped when written)
  uint32_t extended_highest_seq = 0;
  uint32_t jitter = 0;                   // RTP timestamp units
  uint32_t last_sr = 0;                  // LSR: compact NTP of the last SR, 0 if none
  uint32_t delay_since_last_sr = 0;      // DLSR, 1/65536 s
};

struct SenderReport {
  uint32_t ssrc = 0;
  uint64_t ntp_timestamp = 0;
  uint32_t rtp_timestamp = 0;
  uint32_t packet_count = 0;
  uint32_t octet_count = 0;
  std::vector<ReportBlock> reports;  // at most kRtcpMaxReportBlocks are written
};

struct ReceiverReport {
  uint32_t ssrc = 0;
  std::vector<ReportBlock> reports;  // at most kRtcpMaxReportBlocks are written
};

struct PictureLossIndication {  // PSFB, FMT 1
  uint32_t sender_ssrc = 0;
  uint32_t media_ssrc = 0;
};

struct GenericNack {  // RTPFB, FMT 1
  uint32_t sender_ssrc = 0;
  uint32_t media_ssrc = 0;
  // Written as PID+BLP items; ascending (wrap-aware) order packs tightest.
  std::vector<uint16_t> lost_sequence_numbers;
};

struct Bye {
  std::vector<uint32_t> ssrcs;  // at most 31 are written
};

// One SDES chunk with only its CNAME (other items are skipped when parsing; a
// chunk without CNAME parses to an empty cname).
struct SourceDescription {
  uint32_t ssrc = 0;
  std::string cname;  // at most 255 bytes are written
};

// TransportFeedback (RTPFB, FMT 15) is declared in rtp/transport_feedback.hpp.
using RtcpPacket = std::variant<SenderReport, ReceiverReport, PictureLossIndication,
                                GenericNack, Bye, SourceDescription, TransportFeedback>;

// Parses a compound datagram. Unknown packet types / feedback formats are
// skipped. A bad version, a length overrunning the datagram, bad padding or a
// count that does not fit its packet is an Error. An SDES packet yields one
// SourceDescription per chunk.
Result<std::vector<RtcpPacket>> parse_rtcp_compound(ByteView datagram);

// Appends one RTCP packet to `out`.
void write_rtcp(const RtcpPacket& packet, Bytes& out);
Bytes write_rtcp_compound(const std::vector<RtcpPacket>& packets);

}  // namespace peercall
