#pragma once
// Send side of transport-wide congestion control: remembers what was sent
// under which transport-wide sequence number, and turns the peer's
// TransportFeedback into PacketResults (send time, size, arrival) for the
// bandwidth estimator. Sans-I/O: the caller passes every Instant.
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>

#include "cc/packet_result.hpp"
#include "core/time.hpp"
#include "rtp/sequence_unwrapper.hpp"
#include "rtp/transport_feedback.hpp"

namespace peercall {

class TransportFeedbackAdapter {
 public:
  struct Config {
    Duration max_age = seconds(5);  // sent packets older than this are forgotten
    size_t max_packets = 10'000;    // and never more than this many are kept
  };

  TransportFeedbackAdapter() : TransportFeedbackAdapter(Config{}) {}
  explicit TransportFeedbackAdapter(Config config) : config_(config) {}

  // Call when the packet leaves (after the pacer stamped `transport_sequence`
  // into it). `size` is the RTP packet size (header + payload). Returns the
  // unwrapped sequence number. `probe_cluster`: the probe cluster it was sent
  // in, handed back in its PacketResult.
  int64_t on_packet_sent(uint16_t transport_sequence, Instant send_time, size_t size,
                         bool retransmission = false, std::optional<int> probe_cluster = std::nullopt);

  // The results a feedback message carries, in sequence order, or nullopt if
  // it says nothing new. Packets not (or no longer) in the history are
  // ignored. Each packet is reported once as received; a packet reported lost
  // is reported lost once, and again if later feedback says it was received
  // after all. Arrival instants are on the peer's clock: the 24-bit reference
  // time unwrapped across feedbacks (so repeated, reordered and old feedback
  // stays consistent) plus the deltas; their epoch is arbitrary.
  std::optional<TransportFeedbackReport> on_feedback(const TransportFeedback& feedback,
                                                     Instant received_at);

  // Bytes sent and neither reported received nor lost yet (still in history).
  size_t in_flight_bytes() const { return in_flight_bytes_; }
  size_t history_size() const { return history_.size(); }
  // Feedback messages lost on the way back, judged from the 8-bit count.
  uint64_t missed_feedbacks() const { return missed_feedbacks_; }

 private:
  struct Sent {
    Instant send_time{};
    size_t size = 0;
    bool retransmission = false;
    std::optional<int> probe_cluster;
    bool reported_received = false;
    bool reported_lost = false;
  };

  void prune(Instant now);
  void forget(std::map<int64_t, Sent>::iterator it);
  int64_t unwrap_reference(int64_t reference_time_us);

  Config config_;
  std::map<int64_t, Sent> history_;  // by unwrapped transport sequence
  SequenceUnwrapper send_unwrapper_;
  size_t in_flight_bytes_ = 0;
  // The reference time in 64 ms units, unwrapped nearest to the last one.
  std::optional<int64_t> reference_units_;
  std::optional<uint8_t> last_feedback_count_;
  uint64_t missed_feedbacks_ = 0;
};

}  // namespace peercall
