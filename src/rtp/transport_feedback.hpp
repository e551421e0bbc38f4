#pragma once
// RTCP transport-wide congestion control feedback (RTPFB PT 205, FMT 15) of
// draft-holmer-rmcat-transport-wide-cc-extensions-01 section 3.1: for a run
// of transport-wide sequence numbers, which packets arrived and when, on the
// receiver's clock at 250 us resolution.
//
// Wire model: a 24-bit signed reference time in 64 ms units; packet status
// chunks (run length, or vectors of 14 one-bit / 7 two-bit symbols); then one
// receive delta per received packet, each relative to the previous received
// packet (the first to the reference time): 1 byte unsigned ("small", symbol
// 1) or 2 bytes signed ("large or negative", symbol 2), in 250 us units.
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "core/bytes.hpp"
#include "core/result.hpp"

namespace peercall {

inline constexpr uint8_t kRtcpFmtTransportFeedback = 15;
inline constexpr int64_t kTransportFeedbackReferenceUnitUs = 64'000;
inline constexpr int64_t kTransportFeedbackDeltaUnitUs = 250;

struct TransportFeedback {
  // What one sequence number's status says. Offsets are what the wire can
  // carry: multiples of 250 us after parsing (the writer floors to them).
  struct Status {
    std::optional<int64_t> arrival_offset_us;  // since reference_time_us; nullopt: lost
    bool received() const { return arrival_offset_us.has_value(); }
  };

  uint32_t sender_ssrc = 0;
  uint32_t media_ssrc = 0;  // unused by browsers (often 0 or the first media SSRC)
  uint16_t base_sequence = 0;
  uint8_t feedback_count = 0;  // increments (mod 256) per feedback packet sent
  // A multiple of 64 ms. On the wire a 24-bit signed count of 64 ms units, so
  // parsing yields a value in [-2^23, 2^23) * 64 ms; the sender unwraps it.
  int64_t reference_time_us = 0;
  // statuses[i] is the status of sequence base_sequence + i (mod 2^16).
  std::vector<Status> statuses;

  uint16_t sequence_at(size_t i) const { return uint16_t(base_sequence + i); }
};

// Parses the packet body after the 4-byte RTCP common header (FMT 15 checked
// by the caller; RTCP padding already stripped). Strict: no statuses, a
// reserved symbol, chunks or deltas overrunning the body, or more than 3
// trailing bytes is an Error.
Result<TransportFeedback> parse_transport_feedback(ByteView body);

// Appends the whole RTCP packet (common header included, padded to 32 bits
// with the P bit as libwebrtc does). Chunks are chosen compactly. What the
// wire cannot express is clamped: more than 65535 statuses are cut, and a
// delta outside 16 bits signed is saturated; build_transport_feedback() never
// produces either.
void write_transport_feedback(const TransportFeedback& feedback, Bytes& out);

// Exact size write_transport_feedback() would append.
size_t transport_feedback_size(const TransportFeedback& feedback);

// Turns a contiguous run of sequence numbers with their arrival times
// (`arrivals_us[i]` for sequence first_sequence + i, on the receiver's clock,
// nullopt: lost) into feedback packets. A new packet starts when a delta does
// not fit 16 bits signed or the next packet would exceed max_packet_bytes.
// Each packet gets feedback_count = next_feedback_count++. Sequences before
// the first received one in a packet are reported lost in it.
struct TransportFeedbackBuildParams {
  uint32_t sender_ssrc = 0;
  uint32_t media_ssrc = 0;
  size_t max_packet_bytes = 1200;
};
std::vector<TransportFeedback> build_transport_feedback(
    const TransportFeedbackBuildParams& params, uint16_t first_sequence,
    std::span<const std::optional<int64_t>> arrivals_us, uint8_t& next_feedback_count);

}  // namespace peercall
