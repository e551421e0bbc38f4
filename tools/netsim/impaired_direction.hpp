#pragma once
// One direction of the simulated link, sans-I/O: fed packets and instants,
// it says which packets are due and when to ask next. A packet goes through
//   outage -> bursty loss -> random loss -> rate cap (drop-tail FIFO)
//   -> propagation delay + jitter -> outage (a cut while in flight) -> out.
// Changes apply from the instant they are made: a new rate to the packets
// that start their transmission after it, a new delay to packets that leave
// the queue after it.
#include <cstdint>
#include <deque>
#include <optional>
#include <queue>
#include <vector>

#include "core/bytes.hpp"
#include "core/time.hpp"
#include "gilbert_elliott.hpp"
#include "link_settings.hpp"
#include "sim_random.hpp"

namespace peercall::netsim {

struct DuePacket {
  Bytes bytes;
  Instant due;  // when the link delivered it (<= the poll's instant)
};

struct DirectionCounters {
  uint64_t packets_in = 0;
  uint64_t packets_out = 0;
  uint64_t bytes_in = 0;
  uint64_t bytes_out = 0;
  uint64_t dropped_loss = 0;
  uint64_t dropped_queue = 0;
  uint64_t dropped_outage = 0;
  Duration max_queue_delay{0};  // longest wait in the rate cap's queue
};

class ImpairedDirection {
 public:
  ImpairedDirection(const LinkSettings& settings, uint64_t seed);

  void apply(const Change& change, Instant now);
  void enqueue(Bytes packet, Instant now);
  std::vector<DuePacket> poll(Instant now);
  // The earliest instant at which poll() may have something to do.
  std::optional<Instant> next_wakeup() const;

  const LinkSettings& settings() const { return settings_; }
  const DirectionCounters& counters() const { return counters_; }
  bool is_down(Instant t) const { return t >= down_from_ && t < down_until_; }
  size_t queued_bytes() const { return queue_bytes_; }

 private:
  struct Waiting {
    Bytes bytes;
    Instant arrived;
  };
  struct InFlight {
    Instant due;
    uint64_t order;  // ties keep their arrival order
    Bytes bytes;
    bool operator>(const InFlight& o) const {
      return due != o.due ? due > o.due : order > o.order;
    }
  };

  Duration transmission_time(size_t bytes) const;
  bool queue_full(size_t bytes, Instant now) const;
  void start_head(Instant start);
  void drain_queue(Instant now);
  void propagate(Bytes bytes, Instant left_queue);
  Duration jitter_sample();

  LinkSettings settings_;
  SimRandom random_;
  GilbertElliott bursty_;
  DirectionCounters counters_;

  std::deque<Waiting> queue_;  // front: the packet being transmitted
  size_t queue_bytes_ = 0;
  Instant head_finish_{};  // when the front of queue_ is fully sent

  std::priority_queue<InFlight, std::vector<InFlight>, std::greater<>> in_flight_;
  uint64_t next_order_ = 0;
  Instant last_due_{};  // without reordering nothing is due before this

  Instant down_from_{};
  Instant down_until_{};
};

}  // namespace peercall::netsim
