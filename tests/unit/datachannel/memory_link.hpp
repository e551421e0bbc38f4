#pragma once
// Two sans-I/O SCTP peers (SctpAssociation or DataChannelEndpoint) wired
// through memory on a virtual clock: packets polled from one are fed to the
// other, optionally dropping every Nth, and both are ticked on their timers.
#include <cstddef>
#include <functional>
#include <optional>

#include "core/bytes.hpp"
#include "core/time.hpp"
#include "virtual_wall_clock.hpp"

namespace peercall::test {

template <class Peer>
class MemoryLink {
 public:
  MemoryLink(Peer& a, Peer& b, Instant start) : a_(a), b_(b), now_(start) {
    advance_wall_clock(start);
  }

  Instant now() const { return now_; }
  // Drop every nth packet in both directions (0: none).
  void drop_every(size_t n) { drop_every_ = n; }
  size_t dropped() const { return dropped_; }
  size_t delivered() const { return delivered_; }
  size_t largest_packet() const { return largest_; }

  // Moves every packet waiting on either side to the other, until none is left.
  void deliver() {
    for (int round = 0; round < 1000; ++round) {
      bool moved = move(a_, b_) | move(b_, a_);
      if (!moved) return;
    }
  }

  // Advances the clock by `step` and runs both sides' timers and packets.
  void step(Duration step = milliseconds(10)) {
    now_ += step;
    advance_wall_clock(now_);
    if (auto t = a_.next_timeout(); t && *t <= now_) a_.handle_timeout(now_);
    if (auto t = b_.next_timeout(); t && *t <= now_) b_.handle_timeout(now_);
    deliver();
  }

  // Steps until done() or `limit` of virtual time passed; true if done.
  bool run_until(const std::function<bool()>& done, Duration limit = seconds(30)) {
    deliver();
    Instant end = now_ + limit;
    while (!done()) {
      if (now_ >= end) return false;
      step();
    }
    return true;
  }

 private:
  bool move(Peer& from, Peer& to) {
    bool moved = false;
    while (auto packet = from.poll_packet()) {
      moved = true;
      largest_ = std::max(largest_, packet->size());
      ++count_;
      if (drop_every_ && count_ % drop_every_ == 0) {
        ++dropped_;
        continue;
      }
      ++delivered_;
      to.handle_packet(*packet, now_);
    }
    return moved;
  }

  Peer& a_;
  Peer& b_;
  Instant now_;
  size_t drop_every_ = 0;
  size_t count_ = 0;
  size_t dropped_ = 0;
  size_t delivered_ = 0;
  size_t largest_ = 0;
};

}  // namespace peercall::test
