#pragma once
// What one direction of the simulated link does to packets, and the
// "key=value" words that change it (delay=100ms loss=5% rate=2000 ...).
// Parsing is strict: a bad word is refused with a one-line reason.
#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "core/time.hpp"

namespace peercall::netsim {

enum class JitterDistribution { uniform, normal };

// Two-state bursty loss (Gilbert-Elliott). Off while p_good_to_bad and
// loss_in_good are both 0.
struct GilbertElliottParams {
  double p_good_to_bad = 0;
  double p_bad_to_good = 1;
  double loss_in_bad = 1;
  double loss_in_good = 0;
  bool enabled() const { return p_good_to_bad > 0 || loss_in_good > 0; }
};

// "20% in bursts of 3": all packets lost in the bad state, none in the good
// one, mean bad sojourn `mean_burst` packets, stationary loss `loss`.
Result<GilbertElliottParams> bursts_of(double loss, double mean_burst);

// Drop-tail limit of the rate cap's queue: in bytes, or in queueing time.
struct QueueLimit {
  int64_t bytes = 64000;
  Duration time{0};
  bool by_time = false;
};

struct LinkSettings {
  Duration delay{0};
  Duration jitter{0};  // uniform: +-jitter; normal: standard deviation
  JitterDistribution distribution = JitterDistribution::uniform;
  bool reorder = false;  // jittered packets may overtake each other
  double loss = 0;       // random (Bernoulli) loss, 0..1
  GilbertElliottParams bursty;
  int64_t rate_kbps = 0;  // 0: no cap
  QueueLimit queue;
};

// One change a command makes to a direction: a setting, or an outage.
struct Change {
  enum class Key { delay, jitter, distribution, reorder, loss, bursty, rate, queue, down, up };
  Key key = Key::delay;
  Duration duration{0};  // delay, jitter, down (0 with `forever`)
  bool forever = false;  // down with no duration: until `up`
  bool flag = false;     // reorder
  double fraction = 0;   // loss
  JitterDistribution distribution = JitterDistribution::uniform;
  GilbertElliottParams bursty;
  int64_t rate_kbps = 0;
  QueueLimit queue;
};

// "delay=100ms", "loss=5%", "burst=20%/3", "down=2s", "up", ...
Result<Change> parse_change(std::string_view word);
// Applies a setting (not down/up: those are the direction's state).
void apply_setting(LinkSettings& settings, const Change& change);

// Units: "100ms", "0.5s", "250us", bare numbers are milliseconds.
Result<Duration> parse_duration(std::string_view text);
// "5%", "5", "0.5%": percent (as netem), returned as a fraction 0..1.
Result<double> parse_percent(std::string_view text);
// "2000", "2000kbit", "2mbit", "off": kbit/s, 0 for no cap.
Result<int64_t> parse_rate(std::string_view text);
// "300ms", "1s": time; "64000", "64kB", "64000b": bytes.
Result<QueueLimit> parse_queue(std::string_view text);

std::string describe(const LinkSettings& settings);

}  // namespace peercall::netsim
