#pragma once
// What transport-wide congestion control feedback says of one sent packet:
// when we sent it, how big it was, and when (if ever) the peer received it.
// The TWCC adapter produces these from the peer's feedback; the bandwidth
// estimator consumes them. Arrival instants are on the peer's clock, so only
// their differences mean anything.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "core/time.hpp"

namespace peercall {

struct PacketResult {
  int64_t transport_sequence = 0;  // unwrapped transport-wide sequence number
  Instant send_time{};             // our clock
  size_t size = 0;                 // bytes on the wire (RTP header + payload)
  std::optional<Instant> arrival;  // the peer's clock; nullopt: reported lost
  bool retransmission = false;     // RTX or padding: not part of the media rate
  // The bandwidth probe cluster the packet was sent in (padding, and media
  // that left while the cluster was being sent), if any.
  std::optional<int> probe_cluster;
};

// One feedback message's worth of results, in transport-sequence order.
struct TransportFeedbackReport {
  Instant received_at{};  // our clock, when the feedback arrived
  std::vector<PacketResult> packets;
};

}  // namespace peercall
