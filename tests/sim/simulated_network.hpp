#pragma once
// A seeded network model on a virtual clock for sans-I/O tests: each datagram
// is delayed (base + uniform jitter, so reordering happens when jitter exceeds
// the packet spacing) and dropped with a probability, or by a two-state
// Gilbert-Elliott model for bursty loss (one state per direction).
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

struct LinkModel {
  Duration delay = milliseconds(20);
  Duration jitter = Duration::zero();  // uniform in [0, jitter)
  double loss = 0.0;                   // probability a datagram is dropped
  std::optional<GilbertElliott> bursts;  // if set, decides loss on top of `loss`
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
    bool lost = std::bernoulli_distribution(model.loss)(rng_);
    if (model.bursts) lost = bursty_loss(from, *model.bursts) || lost;
    if (lost) {
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
};

}  // namespace peercall::sim
