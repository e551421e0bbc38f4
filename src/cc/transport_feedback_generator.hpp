#pragma once
// Receive side of transport-wide congestion control: records the arrival of
// every packet carrying a transport-wide sequence number and periodically
// emits TransportFeedback messages for the sender. Sans-I/O: on_packet() is
// fed each arrival, poll() is called at next_timeout().
//
// Coverage: each sequence number is reported once, in the first feedback
// after its arrival; numbers skipped up to the highest one received are
// reported lost (numbers before the first one ever received are not
// reported at all). A packet arriving after a feedback already covered its
// number (reordered beyond one feedback interval) is dropped and counted in
// late_packets(): the sender keeps it as lost. A jump of more than
// max_sequence_jump (forward, or backward beyond the covered range) starts
// afresh: what was pending is flushed and the numbers in between are never
// reported, instead of thousands of losses.
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "core/time.hpp"
#include "rtp/sequence_unwrapper.hpp"
#include "rtp/transport_feedback.hpp"

namespace peercall {

class TransportFeedbackGenerator {
 public:
  struct Config {
    uint32_t sender_ssrc = 0;  // our (receiver's) SSRC for the RTCP header
    uint32_t media_ssrc = 0;   // one of the peer's media SSRCs (browsers accept any)
    Duration interval = milliseconds(50);
    size_t max_pending_packets = 100;  // feedback is due at once with this many pending
    int64_t max_sequence_jump = 8000;
    size_t max_packet_bytes = 1200;
  };

  TransportFeedbackGenerator() : TransportFeedbackGenerator(Config{}) {}
  explicit TransportFeedbackGenerator(Config config) : config_(config) {}

  // One arrival of a packet with this transport-wide sequence number.
  // Duplicates keep the first arrival.
  void on_packet(uint16_t transport_sequence, Instant arrival);

  // The feedback due at `now` (often none). Write each with write_rtcp().
  std::vector<TransportFeedback> poll(Instant now);

  // When poll() has something to emit; an instant already past means at
  // once. nullopt: nothing pending.
  std::optional<Instant> next_timeout() const;

  uint64_t late_packets() const { return late_packets_; }
  uint64_t restarts() const { return restarts_; }  // jumps that started afresh

 private:
  // First sequence the next feedback covers, if any is known.
  std::optional<int64_t> range_start() const;
  void flush(std::vector<TransportFeedback>& out);

  Config config_;
  SequenceUnwrapper unwrapper_;
  // End of what sent feedback covered; nullopt until the first feedback (and
  // after a restart), so that early reordered packets still get in.
  std::optional<int64_t> reported_end_;
  std::map<int64_t, Instant> pending_;  // arrivals at or after reported_end_
  std::optional<Instant> oldest_pending_arrival_;
  std::optional<Instant> last_arrival_;
  std::optional<Instant> last_feedback_at_;
  std::vector<TransportFeedback> ready_;  // flushed by a jump, emitted at the next poll
  uint8_t feedback_count_ = 0;
  uint64_t late_packets_ = 0;
  uint64_t restarts_ = 0;
};

}  // namespace peercall
