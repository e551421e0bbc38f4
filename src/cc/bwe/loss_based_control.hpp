#pragma once
// Decides when packet loss means congestion. The product rule: random loss on
// a path whose delay stays flat (radio, a lossy last mile) is NOT congestion;
// backing off for it starves the call without saving a single packet. So loss
// lowers the rate only
//  - together with a delay signal (a standing queue or an overuse verdict):
//    loss over the last second >= 5 % -> min(target x (1 - loss/2), beta x received);
//  - or when very high on its own (a policer, a dead link): loss over the last
//    two seconds >= 30 % -> target x (1 - loss/2).
// Each decision uses fresh evidence: only packets sent after the last
// decrease count (their losses are reported a queue and an RTT later), so one
// lossy second cannot cut the rate twice. And once the RTT is known, decisions
// are at least RTT + `decision_interval_extra` apart (as GCC's loss rule): the
// packets sent just after a cut still meet the queue the old rate filled, and
// their losses must not compound the cut.
//
// Losses in a report whose packets waited in a standing queue are queue
// (congestion) losses; the others are "random" loss, which the estimator
// corrects the received rate for (random_loss_fraction).
#include <cstddef>
#include <deque>
#include <optional>

#include "core/time.hpp"

namespace peercall {

struct LossBasedConfig {
  Duration short_window = seconds(1);
  Duration long_window = seconds(2);
  size_t min_short_packets = 20;
  size_t min_long_packets = 40;
  double congestion_loss = 0.05;  // with a delay signal
  double very_high_loss = 0.30;   // alone
  double beta = 0.85;
  Duration decision_interval_extra = milliseconds(300);
};

class LossBasedControl {
 public:
  explicit LossBasedControl(LossBasedConfig config = {}) : config_(config) {}

  // What one feedback report accounted for.
  struct Counts {
    size_t received = 0, lost = 0;              // all packets
    size_t fresh_received = 0, fresh_lost = 0;  // sent after last_decision()
    bool queue_standing = false;                // its packets waited in a standing queue
  };
  void on_report(const Counts& counts, Instant now);
  // RTCP receiver report's fraction lost; used only while no feedback counts exist.
  void on_loss_report(double fraction, Instant now);
  void set_rtt(Duration rtt) { rtt_ = rtt; }

  // Loss over the long window (stats). nullopt without enough packets.
  std::optional<double> loss_fraction(Instant now) const;
  // Loss over the long window in reports without a standing queue.
  std::optional<double> random_loss_fraction(Instant now) const;

  // The rate to go down to if loss says congestion now, else nullopt.
  std::optional<double> congestion_limit(bool delay_congested, double target_bps,
                                         std::optional<double> received_bps, Instant now);

  // When the last decrease was decided: packets sent later are fresh evidence.
  std::optional<Instant> last_decision() const { return last_decision_; }

 private:
  struct Sample {
    Instant at;
    Counts counts;
  };
  enum class Kind { kAll, kRandom, kFresh, kFreshQueued };
  std::optional<double> fraction(Instant now, Duration window, size_t min_packets, Kind kind) const;

  LossBasedConfig config_;
  std::deque<Sample> samples_;
  std::optional<Instant> last_decision_;
  std::optional<Duration> rtt_;
  std::optional<double> rr_fraction_;
  Instant rr_at_{};
};

}  // namespace peercall
