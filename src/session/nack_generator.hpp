#pragma once
// Receive side of generic NACK (RFC 4585 6.2.1) for one video stream: notices
// gaps in the sequence numbers, asks for the missing packets at once, asks
// again when a retransmission is overdue (renack_interval), and gives up on a
// packet once the recovery budget (recovery_wait) since it went missing is
// spent, after max_nack_tries, or when a retransmission could no longer arrive
// in time. Sequence numbers are extended (unwrapped) by the caller.
#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "core/time.hpp"
#include "session/loss_recovery_timing.hpp"

namespace peercall {

struct NackGeneratorStats {
  uint64_t nacks_sent = 0;         // NACK rounds (one RTCP NACK packet each)
  uint64_t packets_nacked = 0;     // sequence numbers asked for, re-asks included
  uint64_t packets_recovered = 0;  // missing packets that arrived later (RTX or late)
  uint64_t packets_given_up = 0;   // never arrived within the budget
  uint64_t gaps_too_large = 0;     // jumps too big to ask for packet by packet
};

class NackGenerator {
 public:
  // Jumps larger than this are not NACKed (an outage, a sender restart): the
  // frame assembler times out and a keyframe repairs it.
  static constexpr int64_t kMaxGap = 500;
  static constexpr size_t kMaxMissing = 1000;

  explicit NackGenerator(const LossRecoveryConfig& config) : config_(config) {}

  // A packet of the stream arrived, first copy or retransmission.
  void on_packet(int64_t sequence, Instant now);
  // The sequence numbers to NACK now, ascending (mod 2^16); forgets the ones
  // given up. Each returned one counts as one more try.
  std::vector<uint16_t> take_due(Instant now, Duration rtt);
  // When take_due next has something to do.
  std::optional<Instant> next_timeout(Duration rtt) const;

  // Stops asking for anything below `sequence` (a gap known to be past
  // saving: the packets were lost in an outage); counted as given up.
  void forget_before(int64_t sequence);

  size_t missing() const { return missing_.size(); }
  const NackGeneratorStats& stats() const { return stats_; }

 private:
  struct Missing {
    Instant detected;
    std::optional<Instant> last_sent;
    int tries = 0;
  };
  std::optional<Instant> next_ask(const Missing& m, Duration rtt) const;

  LossRecoveryConfig config_;
  std::optional<int64_t> highest_;
  std::map<int64_t, Missing> missing_;
  NackGeneratorStats stats_;
};

}  // namespace peercall
