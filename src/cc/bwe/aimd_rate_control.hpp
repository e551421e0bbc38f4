#pragma once
// The delay-based rate: additive increase near the last known capacity,
// multiplicative far from it, multiplicative decrease to beta x the received
// rate on overuse, hold while queues drain (draft-ietf-rmcat-gcc-02, 5.5).
//
// Two departures from the draft, both to find capacity quickly:
// - Startup: until the first decrease the rate doubles every second (from the
//   1 Mbit/s start, 2.5 Mbit/s is reached in ~1.3 s).
// - Exploration: when the received rate runs past the capacity we last knew
//   (a cap lifted), that capacity is forgotten and growth starts at 8 %/s and
//   accelerates while the delay stays flat (+150 %/s per second, at most x2.5
//   per second), so 0.3 -> 1.8 Mbit/s takes ~3 s; the first overuse ends it.
#include <optional>

#include "cc/bwe/bandwidth_usage.hpp"
#include "core/time.hpp"

namespace peercall {

enum class RateControlState { kHold, kIncrease, kDecrease };

struct AimdConfig {
  double min_bps = 50'000;
  double max_bps = 2'500'000;
  double start_bps = 1'000'000;
  double beta = 0.85;                        // decrease to beta x received rate
  double startup_growth_per_s = 2.0;
  double multiplicative_growth_per_s = 1.08;  // below the known capacity
  double explore_acceleration_per_s = 1.5;    // added to the growth factor per second of exploring
  double explore_max_growth_per_s = 2.5;
  double acked_headroom = 1.5;                // never grow past headroom x received + 10 kbit/s
  Duration min_decrease_interval = milliseconds(200);
  Duration max_step = milliseconds(200);      // a gap between updates counts as no more than this
  double packet_bits = 1200 * 8;
};

class AimdRateControl {
 public:
  explicit AimdRateControl(AimdConfig config = {});

  // One feedback's delay verdict and the received rate (if known yet).
  void update(BandwidthUsage usage, std::optional<double> acked_bps, Instant now);
  // From the loss rule: go down to `bps` (never up). Rate-limited like an overuse.
  void decrease_to(double bps, std::optional<double> acked_bps, Instant now);
  // A bandwidth probe showed the path carries `bps`: go up to it (never down).
  // A capacity it exceeds is forgotten (the path grew).
  void raise_to(double bps);

  void set_rtt(Duration rtt) { rtt_ = rtt; }
  void set_bounds(double min_bps, double max_bps);

  double target_bps() const { return target_; }
  RateControlState state() const { return state_; }
  bool in_startup() const { return startup_; }
  bool exploring() const { return !startup_ && !capacity_; }
  std::optional<double> link_capacity_bps() const { return capacity_; }

 private:
  void increase(Duration dt, std::optional<double> acked_bps);
  bool apply_decrease(double new_bps, std::optional<double> acked_bps, Instant now);
  void note_capacity(double acked_bps);
  double additive_bps_per_s() const;
  double capacity_upper() const;
  double capacity_lower() const;
  double clamp(double bps) const;

  AimdConfig config_;
  double target_;
  RateControlState state_ = RateControlState::kHold;
  bool startup_ = true;
  std::optional<double> capacity_;  // received rate at recent decreases (EWMA)
  double capacity_var_ = 0;         // relative variance of those
  Duration explore_time_{};
  Duration rtt_ = milliseconds(100);
  std::optional<Instant> last_update_;
  std::optional<Instant> last_decrease_;
};

}  // namespace peercall
