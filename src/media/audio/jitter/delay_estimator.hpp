#pragma once
// How much playout delay the network's jitter calls for, from packet arrivals
// (the idea of WebRTC NetEq's delay manager, our own much smaller take).
//
// Each packet's "relative delay" is how much later it arrived than the
// fastest packet of the last couple of seconds would predict from the RTP
// timestamps: 0 on a clean link, spread out under jitter. Those delays go into
// a histogram that forgets old samples exponentially; the target delay is a
// high quantile of it, so it grows within a few packets when jitter appears and
// falls back within seconds when it stops.
// A packet that came too late to be played tells that the target was short,
// not by how much: a stalled queue releases a second of packets at once, and
// covering that would make every later loss wait a second. So a late packet
// counts for at most a frame beyond where playout was, and a burst of late
// packets arriving together counts about once.
//
// The same fastest-packet reference tells how far behind that schedule a frame
// is played (offset_ms): the playout logic keeps that offset at the target.
// Using the recent fastest packet (not the first one) as the reference lets
// sender/receiver clock drift pass through as a slow change of the offset.
#include <cstdint>
#include <deque>
#include <optional>
#include <vector>

#include "core/time.hpp"

namespace peercall {

struct DelayEstimatorConfig {
  double quantile = 0.97;         // share of packets the target should cover
  double forget_factor = 0.98;    // per packet: ~50 packets (1 s) of memory
  int bucket_ms = 2;
  int max_delay_ms = 500;         // delays beyond fall in the last bucket
  Duration reference_window = seconds(1);  // how long the fastest packet stays the reference
};

class DelayEstimator {
 public:
  explicit DelayEstimator(DelayEstimatorConfig config = {});

  // A packet with (unwrapped) RTP timestamp `timestamp` at 48 kHz arrived.
  // Returns its relative delay in ms (>= 0). `late_cap_ms` marks a packet that
  // arrived after its slot was played, with how late playout then was.
  double on_packet(int64_t timestamp, Instant arrival,
                   std::optional<double> late_cap_ms = std::nullopt);

  // How many ms after the fastest recent packet's schedule the frame with
  // `timestamp` is when played at `now` (0 if nothing arrived yet).
  double offset_ms(int64_t timestamp, Instant now) const;

  // The delay in ms that covers `quantile` of the recent relative delays,
  // rounded up to the bucket's upper edge (>= bucket_ms).
  int target_ms() const { return target_ms_; }
  bool has_reference() const { return !window_.empty(); }

  // Forgets everything (a new stream, or one whose timing restarted).
  void reset();

 private:
  struct Sample {
    Instant arrival;
    double lag_ms;  // arrival minus the timestamp's time, in ms: smaller = faster
  };
  static double lag_of(int64_t timestamp, Instant arrival);
  void add_to_histogram(double relative_delay_ms, double weight);

  DelayEstimatorConfig config_;
  std::deque<Sample> window_;  // increasing lag_ms: front is the fastest in the window
  std::vector<double> histogram_;  // probabilities per bucket, summing to 1
  std::optional<Instant> last_arrival_;
  int target_ms_ = 0;
};

}  // namespace peercall
