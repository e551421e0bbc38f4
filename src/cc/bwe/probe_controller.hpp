#pragma once
// Decides when to probe the path above the estimate, and at what rate. The
// delay and loss signals only ever say "less"; the received rate says "more"
// only when we send more. A sender held below its target by its encoder
// (easy content, a video cap) never shows spare capacity, so after a drop
// the estimate would stay down for the rest of the call (issue 10). A probe
// cluster, a short burst of padding above the estimate, measures it instead
// (ProbeBitrateEstimator). Probes:
// - at the start: one cluster at `initial_multiplier` x the start rate;
// - after a success: again at `further_multiplier` x the result, while each
//   result reaches `further_success` of its cluster's rate (exponential
//   search, a few hundred ms to find a lifted cap);
// - after a large drop (below `drop_ratio` of the rate a moment before): once,
//   `recovery_delay` later, at `recovery_fraction` of the pre-drop rate (the
//   path may have come back as fast as it went);
// - every `alr_interval` while the sender is application-limited (sends less
//   than `alr_ratio` of the estimate) and the estimate is below the maximum.
// Sans-I/O: fed the estimate, the send rate and the results with instants.
#include <cstddef>
#include <optional>

#include "core/time.hpp"

namespace peercall {

struct ProbeControllerConfig {
  bool probe_at_start = true;
  double initial_multiplier = 3.0;
  double further_multiplier = 2.0;
  double further_success = 0.7;
  double drop_ratio = 0.66;
  Duration drop_window = seconds(2);  // the "moment before" a drop
  Duration recovery_delay = seconds(2);
  double recovery_fraction = 0.85;
  double alr_ratio = 0.75;
  Duration alr_interval = seconds(3);
  double alr_multiplier = 2.0;
  double min_gain = 1.2;          // a probe below this x the estimate is not worth it
  Duration cluster_duration = milliseconds(15);
  size_t cluster_min_packets = 5;
  Duration result_timeout = seconds(1);  // no result by then: the probe failed
};

struct ProbeCluster {
  int id = 0;
  double bps = 0;
  Duration duration{};
  size_t min_packets = 0;
  size_t bytes() const { return size_t(bps / 8 * to_seconds(duration)); }
};

class ProbeController {
 public:
  ProbeController(ProbeControllerConfig config, double max_bps);

  void set_max(double max_bps) { max_bps_ = max_bps; }
  // The estimate after each feedback (and at the start).
  void on_estimate(double bps, Instant now);
  // What the sender really sends (media, without probes), if measured.
  void on_send_rate(std::optional<double> bps) { send_bps_ = bps; }
  // No probe for the drop just seen, nor for one before `until` (the caller
  // knows the path shrank).
  void skip_recovery(Instant until) {
    recovery_bps_.reset();
    no_recovery_until_ = until;
  }
  // A probed rate for cluster `id` (from ProbeBitrateEstimator).
  void on_probe_result(int id, double bps, Instant now);

  // The cluster to send now, if one is due (at most one outstanding).
  std::optional<ProbeCluster> poll(Instant now);
  // When poll may next have something for a timer; Instant::max() if nothing planned.
  Instant next_timeout() const;

  bool application_limited() const;
  int clusters_sent() const { return next_id_; }

 private:
  std::optional<ProbeCluster> make(double bps, Instant now);

  ProbeControllerConfig config_;
  double max_bps_;
  double estimate_ = 0;
  std::optional<double> send_bps_;
  int next_id_ = 0;
  bool started_ = false;
  // The outstanding cluster: its id, rate and when it went.
  std::optional<int> outstanding_;
  double outstanding_bps_ = 0;
  Instant outstanding_at_{};
  std::optional<double> further_bps_;  // the next step of a successful search
  std::optional<Instant> last_probe_;
  // Drop detection: the highest estimate in the last drop_window.
  double peak_ = 0;
  Instant peak_at_{};
  std::optional<double> recovery_bps_;
  Instant no_recovery_until_{};
  Instant recovery_at_{};
};

}  // namespace peercall
