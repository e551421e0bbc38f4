#include "rtp/receive_statistics.hpp"

#include <algorithm>
#include <cmath>

#include "rtp/ntp_time.hpp"

namespace peercall {

namespace {
constexpr int64_t kSeqMod = 1 << 16;
}

ReceiveStatistics::ReceiveStatistics(uint32_t clock_rate)
    : clock_rate_(clock_rate ? clock_rate : 1) {}

bool ReceiveStatistics::on_packet(uint16_t seq, uint32_t rtp_timestamp, Instant arrival,
                                  size_t payload_bytes) {
  if (!started_) {
    restart(seq, arrival, rtp_timestamp);
  } else {
    const uint16_t udelta = uint16_t(seq - uint16_t(highest_));
    if (udelta == 0) {
      ++duplicates_;
      return false;
    }
    if (udelta < kMaxDropout) {
      // In order, possibly after a gap.
      const int64_t ext = highest_ + udelta;
      advance_window(ext);
      mark(ext);
      highest_ = ext;
      have_bad_seq_ = false;
      ++received_in_epoch_;
      update_jitter(rtp_timestamp, arrival);
    } else if (udelta > kSeqMod - kMaxMisorder) {
      // Late: older than the highest but within the history window.
      const int64_t ext = highest_ - (kSeqMod - udelta);
      if (seen(ext)) {
        ++duplicates_;
        return false;
      }
      mark(ext);
      ++reordered_;
      ++received_in_epoch_;
      base_ = std::min(base_, ext);  // late packets from before the first one
    } else if (have_bad_seq_ && seq == bad_seq_) {
      // Two consecutive packets after a big jump: the sender restarted.
      restart(seq, arrival, rtp_timestamp);
      base_ = highest_ - 1;  // the packet that announced the jump belongs to the new epoch
      mark(base_);
      received_in_epoch_ = 2;
    } else {
      // A big jump: not trusted until the next packet follows it (A.1). It is
      // still real media, so the caller may use it.
      have_bad_seq_ = true;
      bad_seq_ = uint16_t(seq + 1);
    }
  }
  ++received_;
  bytes_ += payload_bytes;
  return true;
}

void ReceiveStatistics::restart(uint16_t seq, Instant arrival, uint32_t rtp_timestamp) {
  started_ = true;
  base_ = highest_ = seq;
  received_in_epoch_ = 1;
  expected_prior_ = 0;
  received_prior_ = 0;
  have_bad_seq_ = false;
  window_.reset();
  mark(seq);
  have_jitter_ref_ = false;
  update_jitter(rtp_timestamp, arrival);
}

void ReceiveStatistics::advance_window(int64_t new_highest) {
  // Slots reused by the newly covered sequence numbers must read "not seen".
  if (new_highest - highest_ >= int64_t(kWindow)) {
    window_.reset();
    return;
  }
  for (int64_t s = highest_ + 1; s <= new_highest; ++s) window_.reset(slot(s));
}

void ReceiveStatistics::update_jitter(uint32_t rtp_timestamp, Instant arrival) {
  // Packets of one video frame share a timestamp but leave the sender paced
  // apart; comparing only the first packet of each frame keeps pacing out of
  // the jitter estimate.
  if (have_jitter_ref_ && rtp_timestamp == ref_timestamp_) return;
  if (have_jitter_ref_) {
    // A.8: D = (Rj - Ri) - (Sj - Si), in timestamp units; J += (|D| - J) / 16.
    const double arrival_delta = to_seconds(arrival - ref_arrival_) * clock_rate_;
    const double send_delta = double(int32_t(rtp_timestamp - ref_timestamp_));
    jitter_ += (std::abs(arrival_delta - send_delta) - jitter_) / 16.0;
  }
  have_jitter_ref_ = true;
  ref_timestamp_ = rtp_timestamp;
  ref_arrival_ = arrival;
}

int64_t ReceiveStatistics::packets_lost() const {
  if (!started_) return 0;
  return (highest_ - base_ + 1) - int64_t(received_in_epoch_);
}

ReportBlock ReceiveStatistics::make_report_block(uint32_t ssrc, uint32_t last_sr_compact,
                                                 Instant last_sr_arrival_or_epoch, Instant now) {
  ReportBlock block;
  block.ssrc = ssrc;
  if (started_) {
    // RFC 3550 A.3.
    const int64_t expected = highest_ - base_ + 1;
    const int64_t expected_interval = expected - expected_prior_;
    const int64_t received_interval = int64_t(received_in_epoch_ - received_prior_);
    const int64_t lost_interval = expected_interval - received_interval;
    expected_prior_ = expected;
    received_prior_ = received_in_epoch_;
    if (expected_interval > 0 && lost_interval > 0) {
      block.fraction_lost = uint8_t(std::min<int64_t>(255, (lost_interval << 8) / expected_interval));
    }
    block.cumulative_lost = int32_t(std::clamp<int64_t>(packets_lost(), -0x800000, 0x7fffff));
    block.extended_highest_seq = uint32_t(highest_);
    block.jitter = uint32_t(jitter_);
  }
  if (last_sr_compact != 0) {
    block.last_sr = last_sr_compact;
    block.delay_since_last_sr = duration_to_compact_ntp(now - last_sr_arrival_or_epoch);
  }
  return block;
}

}  // namespace peercall
