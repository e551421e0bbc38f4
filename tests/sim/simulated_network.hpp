#pragma once
// A seeded network model on a virtual clock for sans-I/O tests: each datagram
// is delayed (base + uniform jitter, so reordering happens when jitter exceeds
// the packet spacing) and dropped with a probability. Deterministic per seed.
#include <cstdint>
#include <queue>
#include <random>
#include <vector>

#include "core/bytes.hpp"
#include "core/time.hpp"

namespace peercall::sim {

struct LinkModel {
  Duration delay = milliseconds(20);
  Duration jitter = Duration::zero();  // uniform in [0, jitter)
  double loss = 0.0;                   // probability a datagram is dropped
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

  // Sends from endpoint `from` to the other one (two endpoints: 0 and 1).
  void send(int from, Bytes datagram, Instant now, const LinkModel& model) {
    ++sent_;
    if (std::bernoulli_distribution(model.loss)(rng_)) {
      ++dropped_;
      return;
    }
    Duration jitter = Duration::zero();
    if (model.jitter > Duration::zero())
      jitter = Duration(std::uniform_int_distribution<int64_t>(0, model.jitter.count() - 1)(rng_));
    queue_.push(Delivery{now + model.delay + jitter, 1 - from, std::move(datagram), sent_});
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

 private:
  struct Later {
    bool operator()(const Delivery& a, const Delivery& b) const {
      return a.at != b.at ? a.at > b.at : a.order > b.order;
    }
  };
  std::mt19937_64 rng_;
  std::priority_queue<Delivery, std::vector<Delivery>, Later> queue_;
  uint64_t sent_ = 0, dropped_ = 0;
};

}  // namespace peercall::sim
