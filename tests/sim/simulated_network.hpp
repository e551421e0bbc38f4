#pragma once
// A seeded network model on a virtual clock for sans-I/O tests: each datagram
// is delayed (base + uniform jitter, so reordering happens when jitter exceeds
// the packet spacing) and dropped with a probability, or by a two-state
// Gilbert-Elliott model for bursty loss (one state per direction). A link may
// also have a bottleneck: a capacity (changeable on a schedule) with a
// drop-tail queue of so many milliseconds, one per direction, so that
// sending faster than the capacity builds delay and then loses packets.
// Deterministic per seed.
#include <array>
#include <cstdint>
#include <optional>
#include <queue>
#include <random>
#include <vector>

#include "core/bytes.hpp"
#include "core/time.hpp"

namespace peercall::sim {

// Two-state bursty loss: in the good state datagrams are lost with
// loss_good, in the bad state with loss_bad; after each datagram the state
// flips with good_to_bad / bad_to_good.
struct GilbertElliott {
  double good_to_bad = 0.0;
  double bad_to_good = 1.0;
  double loss_good = 0.0;
  double loss_bad = 1.0;
  // Loses `loss` of all datagrams in bursts of `mean_burst` on average (every
  // datagram in the bad state is lost, none in the good one).
  static GilbertElliott bursty(double loss, double mean_burst) {
    GilbertElliott g;
    g.bad_to_good = 1.0 / mean_burst;
    g.good_to_bad = loss * g.bad_to_good / (1.0 - loss);  // stationary P(bad) = loss
    return g;
  }
};

// A capacity from `at` (since the network's epoch) on.
struct CapacityChange {
  Duration at{};
  int64_t capacity_bps = 0;
};

struct Bottleneck {
  int64_t capacity_bps = 2'000'000;
  Duration queue = milliseconds(300);  // a datagram that would wait longer is dropped
  size_t overhead_bytes = 40;          // per datagram on the wire (IP, UDP, SRTP tag)
  std::vector<CapacityChange> schedule;  // in order of `at`
};

struct LinkModel {
  Duration delay = milliseconds(20);
  Duration jitter = Duration::zero();  // uniform in [0, jitter)
  double loss = 0.0;                   // probability a datagram is dropped
  std::optional<GilbertElliott> bursts;  // if set, decides loss on top of `loss`
  std::optional<Bottleneck> bottleneck;  // before the propagation delay
};

class SimulatedNetwork {
 public:
  struct Delivery {
    Instant at;
    int to;  // index of the receiving endpoint
    Bytes datagram;
    uint64_t order = 0;  // ties deliver in send order (a FIFO link)
  };

  explicit SimulatedNetwork(uint64_t seed) : rng_(seed) {}

  // The instant bottleneck schedules count from.
  void set_epoch(Instant epoch) { epoch_ = epoch; }

  // Sends from endpoint `from` to the other one (two endpoints: 0 and 1).
  void send(int from, Bytes datagram, Instant now, const LinkModel& model) {
    ++sent_;
    bool lost = std::bernoulli_distribution(model.loss)(rng_);
    if (model.bursts) lost = bursty_loss(from, *model.bursts) || lost;
    if (lost) {
      ++dropped_;
      return;
    }
    Instant leaves = now;
    if (model.bottleneck) {
      const Bottleneck& b = *model.bottleneck;
      Instant& busy = busy_until_[from & 1];
      const Instant start = std::max(now, busy);
      const int64_t bps = std::max<int64_t>(1, capacity_at(b, now));
      const Duration transmit = microseconds(
          int64_t((datagram.size() + b.overhead_bytes) * 8 * 1'000'000 / uint64_t(bps)));
      if (start + transmit - now > b.queue) {  // drop-tail
        ++dropped_;
        ++queue_drops_;
        return;
      }
      busy = start + transmit;
      leaves = busy;
    }
    Duration jitter = Duration::zero();
    if (model.jitter > Duration::zero())
      jitter = Duration(std::uniform_int_distribution<int64_t>(0, model.jitter.count() - 1)(rng_));
    queue_.push(Delivery{leaves + model.delay + jitter, 1 - from, std::move(datagram), sent_});
  }

  int64_t capacity_at(const Bottleneck& b, Instant now) const {
    int64_t bps = b.capacity_bps;
    for (const CapacityChange& c : b.schedule)
      if (now >= epoch_ + c.at) bps = c.capacity_bps;
    return bps;
  }

  bool has_pending() const { return !queue_.empty(); }
  Instant next_delivery() const { return queue_.top().at; }
  Delivery pop() {
    Delivery d = queue_.top();
    queue_.pop();
    return d;
  }
  uint64_t sent() const { return sent_; }
  uint64_t dropped() const { return dropped_; }
  uint64_t queue_drops() const { return queue_drops_; }  // by a full bottleneck queue
  // How long a datagram sent now by `from` would wait in the bottleneck queue.
  Duration queue_delay(int from, Instant now) const {
    return std::max(Duration::zero(), busy_until_[from & 1] - now);
  }

 private:
  bool bursty_loss(int from, const GilbertElliott& g) {
    bool& bad = bad_state_[from & 1];
    const bool lost = std::bernoulli_distribution(bad ? g.loss_bad : g.loss_good)(rng_);
    bad = std::bernoulli_distribution(bad ? 1.0 - g.bad_to_good : g.good_to_bad)(rng_);
    return lost;
  }

  struct Later {
    bool operator()(const Delivery& a, const Delivery& b) const {
      return a.at != b.at ? a.at > b.at : a.order > b.order;
    }
  };
  std::mt19937_64 rng_;
  std::priority_queue<Delivery, std::vector<Delivery>, Later> queue_;
  uint64_t sent_ = 0, dropped_ = 0;
  std::array<bool, 2> bad_state_{};  // Gilbert-Elliott state per sending endpoint
  std::array<Instant, 2> busy_until_{};  // bottleneck queue per sending endpoint
  Instant epoch_{};
  uint64_t queue_drops_ = 0;
};

}  // namespace peercall::sim
