#pragma once
// The RTP packets a send stream sent recently, by sequence number, kept for
// retransmission: bounded by total bytes and by age, oldest evicted first.
// Remembers when each was last resent so that one loss costs one resend per
// interval however many NACKs name it.
#include <cstdint>
#include <deque>
#include <optional>

#include "core/bytes.hpp"
#include "core/time.hpp"

namespace peercall {

class PacketHistory {
 public:
  PacketHistory(size_t max_bytes, Duration max_age) : max_bytes_(max_bytes), max_age_(max_age) {}

  // A plain (unencrypted) RTP packet just sent. Sequence numbers are expected
  // to follow each other; a jump starts the history afresh.
  void store(uint16_t sequence, Bytes packet, Instant now);

  enum class Status { kResend, kTooSoon, kUnavailable };
  struct Lookup {
    Status status = Status::kUnavailable;
    ByteView packet;  // valid until the next store(); only for kResend
  };
  // Whether `sequence` can be resent now: kept, and not resent within
  // `min_interval`. kResend marks it resent at `now`.
  Lookup resend(uint16_t sequence, Instant now, Duration min_interval);

  size_t packets() const { return entries_.size(); }
  size_t bytes() const { return bytes_; }

 private:
  struct Entry {
    uint16_t sequence;
    Instant sent;
    std::optional<Instant> last_resent;
    Bytes packet;
  };
  void evict(Instant now);

  size_t max_bytes_;
  Duration max_age_;
  std::deque<Entry> entries_;  // send order: consecutive sequence numbers
  size_t bytes_ = 0;
};

}  // namespace peercall
