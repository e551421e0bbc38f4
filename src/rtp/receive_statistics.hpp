#pragma once
// Statistics of one incoming RTP stream (one SSRC), after RFC 3550 A.1 (sequence
// validation), A.3 (loss) and A.8 (interarrival jitter), producing the report
// block our RR/SR carries back to the sender. Sans-I/O: the caller passes the
// arrival Instant.
#include <bitset>
#include <cstddef>
#include <cstdint>

#include "core/time.hpp"
#include "rtp/rtcp_packet.hpp"

namespace peercall {

class ReceiveStatistics {
 public:
  explicit ReceiveStatistics(uint32_t clock_rate);

  // Returns false for a duplicate (already received) packet, true otherwise.
  bool on_packet(uint16_t seq, uint32_t rtp_timestamp, Instant arrival, size_t payload_bytes);

  // Fraction lost since the previous call, cumulative lost, extended highest
  // sequence number and jitter; LSR/DLSR from the last SR seen (pass 0 as
  // last_sr_compact when none has been received: both fields are then 0).
  ReportBlock make_report_block(uint32_t ssrc, uint32_t last_sr_compact,
                                Instant last_sr_arrival_or_epoch, Instant now);

  uint64_t packets_received() const { return received_; }  // duplicates excluded
  int64_t packets_lost() const;  // expected - received since the stream (re)started; may be < 0
  uint64_t duplicates() const { return duplicates_; }
  uint64_t reordered() const { return reordered_; }
  uint64_t bytes_received() const { return bytes_; }  // payload bytes, duplicates excluded
  int64_t highest_sequence() const { return started_ ? highest_ : -1; }  // extended; -1 before any packet
  double jitter_seconds() const { return jitter_ / clock_rate_; }

 private:
  // RFC 3550 A.1 suggests 3000 / 100; reordering tolerance is widened so that
  // retransmitted packets still count as late rather than as a sender restart.
  static constexpr uint16_t kMaxDropout = 3000;
  static constexpr uint16_t kMaxMisorder = 1000;
  static constexpr size_t kWindow = 1024;  // duplicate-detection history
  static_assert(kMaxMisorder < kWindow);

  void restart(uint16_t seq, Instant arrival, uint32_t rtp_timestamp);
  void advance_window(int64_t new_highest);
  bool seen(int64_t ext) const { return window_.test(slot(ext)); }
  void mark(int64_t ext) { window_.set(slot(ext)); }
  static size_t slot(int64_t ext) { return size_t(uint64_t(ext) % kWindow); }
  void update_jitter(uint32_t rtp_timestamp, Instant arrival);

  const double clock_rate_;

  // Current sequence epoch (reset when the sender restarts its numbering).
  bool started_ = false;
  int64_t base_ = 0;     // extended seq of the first packet of the epoch
  int64_t highest_ = 0;  // extended highest seq of the epoch
  uint64_t received_in_epoch_ = 0;
  int64_t expected_prior_ = 0;     // A.3 interval state
  uint64_t received_prior_ = 0;
  bool have_bad_seq_ = false;  // A.1: a big jump is accepted once the next seq confirms it
  uint16_t bad_seq_ = 0;
  std::bitset<kWindow> window_;  // slot(ext) set = that seq was received

  // A.8 jitter, in RTP timestamp units.
  double jitter_ = 0;
  bool have_jitter_ref_ = false;
  uint32_t ref_timestamp_ = 0;
  Instant ref_arrival_{};

  uint64_t received_ = 0;
  uint64_t duplicates_ = 0;
  uint64_t reordered_ = 0;
  uint64_t bytes_ = 0;
};

}  // namespace peercall
