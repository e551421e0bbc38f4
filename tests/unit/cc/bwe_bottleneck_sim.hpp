#pragma once
// A deterministic bottleneck for the estimator tests: a sender that sends
// 1200-byte packets paced at the estimator's target, a drop-tail queue
// limited in time at the current capacity, a fixed propagation delay, optional
// random (Bernoulli or Gilbert-Elliott) loss after the queue, and a receiver
// that reports every 50 ms what arrived, as TransportFeedbackReports. Runs in
// 100 us ticks; every instant is simulated, nothing sleeps.
// With pacing_factor > 0 the sender is a call instead: 30 fps video frames of
// target/30 split into 1200-byte packets plus 32 kbit/s audio (80 B every
// 20 ms), through the real Pacer at pacing_factor x target.
#include <algorithm>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <vector>

#include "cc/bwe/bandwidth_estimator.hpp"
#include "cc/bwe/pacer.hpp"
#include "cc/packet_result.hpp"

namespace peercall::bwe_sim {

struct SimConfig {
  double capacity_bps = 1'000'000;
  Duration queue_limit = milliseconds(300);  // drop-tail, in time at the current capacity
  Duration propagation = milliseconds(40);   // one way, each direction
  double random_loss = 0;                    // after the queue
  int loss_burst = 0;                        // 0: independent; else Gilbert-Elliott mean burst
  uint32_t seed = 1;
  Duration feedback_interval = milliseconds(50);
  size_t packet_size = 1200;
  Duration tick = microseconds(100);
  double pacing_factor = 0;  // 0: constant-rate packets at the target
  // Call mode: the encoder's output as a share of its target (a real encoder
  // undershoots on easy content) and the app's video cap (0: none).
  double encoder_fraction = 1.0;
  int video_cap_bps = 0;
  // The encoder follows the target this late (rate control, a keyframe asked
  // for by the receiver, a pacer backlog: a real sender slows down late).
  Duration encoder_lag{};
  // Feedback waits this long on the way back (the reverse path's own queue).
  Duration feedback_extra_delay{};
  BandwidthEstimatorConfig bwe;
};

struct RateSample {
  double t_s;
  int target_bps;
  double queue_ms;  // the queue as it stands: bytes / capacity
};

// One change of the target, with the estimator's reason and what it knew.
struct RateChange {
  double t_s;
  int target_bps;
  RateReason reason;
  std::optional<double> loss;
  std::optional<int> acked_bps;
  Duration standing_queue;
};

class BottleneckSim {
 public:
  explicit BottleneckSim(SimConfig config)
      : config_(config), bwe_(config.bwe), capacity_(config.capacity_bps), rng_(config.seed) {
    next_send_ = now_;
  }

  BandwidthEstimator& bwe() { return bwe_; }
  void set_capacity(double bps) { capacity_ = bps; }
  void set_outage(bool on) { outage_ = on; }
  void set_feedback_extra_delay(Duration d) { config_.feedback_extra_delay = d; }
  // A longer (or shorter) path from now on; lengthening never reorders.
  void set_propagation(Duration d) { config_.propagation = d; }
  const Pacer& pacer() const { return pacer_; }
  Duration max_pacer_delay() const { return max_pacer_delay_; }
  // An encoder that produces less than the target (0: follows the target).
  void set_app_limit(double bps) { app_limit_ = bps; }
  Instant now() const { return now_; }
  double elapsed_s() const { return to_seconds(now_ - start_); }

  void run_for(Duration d) {
    Instant end = now_ + d;
    while (now_ < end) step();
  }

  const std::vector<RateSample>& samples() const { return samples_; }
  const std::vector<RateChange>& changes() const { return changes_; }
  // Per-packet queueing delay (ms) at departure, with its departure time (s).
  const std::vector<std::pair<double, double>>& queue_delays() const { return queue_delays_; }

  // Helpers over the recorded trace.
  double mean_target(double from_s, double to_s) const {
    double sum = 0;
    int n = 0;
    for (const RateSample& s : samples_) {
      if (s.t_s >= from_s && s.t_s < to_s) {
        sum += s.target_bps;
        ++n;
      }
    }
    return n ? sum / n : 0;
  }
  int min_target(double from_s, double to_s) const {
    int m = INT32_MAX;
    for (const RateSample& s : samples_) {
      if (s.t_s >= from_s && s.t_s < to_s) m = std::min(m, s.target_bps);
    }
    return m;
  }
  // First sample time >= from_s whose target satisfies pred; -1 if none.
  template <class Pred>
  double first_time(double from_s, Pred pred) const {
    for (const RateSample& s : samples_) {
      if (s.t_s >= from_s && pred(s.target_bps)) return s.t_s;
    }
    return -1;
  }
  double queue_delay_percentile(double from_s, double to_s, double p) const {
    std::vector<double> v;
    for (const auto& [t, d] : queue_delays_) {
      if (t >= from_s && t < to_s) v.push_back(d);
    }
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    size_t i = std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())));
    return v[i];
  }

 private:
  struct Sent {
    Instant send;
    size_t size;
  };
  struct InQueue {
    int64_t seq;
    Instant enqueued;
    double remaining;  // bytes still to serialise
    size_t size;
  };
  struct Feedback {
    Instant deliver_at;
    TransportFeedbackReport report;
    Instant last_arrival_peer;  // for the RTT
    Instant last_send;
    Instant generated_at;
  };

  double uniform() { return static_cast<double>(rng_() >> 11) * (1.0 / 9007199254740992.0); }

  bool random_drop() {
    if (config_.random_loss <= 0) return false;
    if (config_.loss_burst <= 0) return uniform() < config_.random_loss;
    // Gilbert-Elliott: the bad state loses everything and lasts loss_burst on average.
    double leave_bad = 1.0 / config_.loss_burst;
    double enter_bad = config_.random_loss * leave_bad / (1 - config_.random_loss);
    bad_ = bad_ ? uniform() >= leave_bad : uniform() < enter_bad;
    return bad_;
  }

  void step() {
    now_ += config_.tick;
    send_packets();
    serve_queue();
    deliver_to_receiver();
    maybe_send_feedback();
    deliver_feedback();
    if (now_ - last_sample_ >= milliseconds(100)) {
      last_sample_ = now_;
      samples_.push_back({elapsed_s(), bwe_.target_bitrate_bps(),
                          static_cast<double>(queued_bytes_) * 8000.0 / capacity_});
    }
  }

  void send_packets() {
    if (config_.pacing_factor > 0) return send_call_media();
    double rate = bwe_.target_bitrate_bps();
    if (app_limit_ > 0) rate = std::min(rate, app_limit_);
    while (next_send_ <= now_) {
      to_link(next_send_, config_.packet_size);
      next_send_ += std::chrono::duration_cast<Duration>(
          std::chrono::duration<double>(config_.packet_size * 8.0 / rate));
    }
  }

  void send_call_media() {
    int target = bwe_.target_bitrate_bps();
    pacer_.set_pacing_rate(static_cast<int64_t>(config_.pacing_factor * target));
    target_history_.push_back({now_, target});
    while (target_history_.size() > 1 && target_history_[1].first <= now_ - config_.encoder_lag)
      target_history_.pop_front();
    target = target_history_.front().second;
    if (now_ >= next_frame_) {
      next_frame_ += microseconds(33'333);
      double video = target - 32'000;
      if (config_.video_cap_bps > 0) video = std::min<double>(video, config_.video_cap_bps);
      size_t frame = static_cast<size_t>(std::max(0.0, config_.encoder_fraction * video / 8 / 30));
      for (size_t left = frame; left > 0;) {
        size_t n = std::min(left, config_.packet_size);
        pacer_.enqueue(Bytes(n), PacketPriority::kVideo, now_);
        left -= n;
      }
    }
    if (now_ >= next_audio_) {
      next_audio_ += milliseconds(20);
      pacer_.enqueue(Bytes(80), PacketPriority::kAudio, now_);
    }
    max_pacer_delay_ = std::max(max_pacer_delay_, pacer_.queue_delay(now_));
    while (std::optional<Bytes> p = pacer_.poll(now_)) to_link(now_, p->size());
  }

  void to_link(Instant at, size_t size) {
    int64_t seq = next_seq_++;
    sent_[seq] = {at, size};
    // Drop-tail: the queue holds queue_limit of data at the current capacity.
    double limit_bytes = capacity_ / 8.0 * to_seconds(config_.queue_limit);
    if (static_cast<double>(queued_bytes_ + size) <= limit_bytes) {
      queue_.push_back({seq, at, static_cast<double>(size), size});
      queued_bytes_ += size;
    }
  }

  void serve_queue() {
    if (outage_) return;
    link_budget_ += capacity_ / 8.0 * to_seconds(config_.tick);
    while (!queue_.empty() && link_budget_ > 0) {
      InQueue& head = queue_.front();
      double take = std::min(link_budget_, head.remaining);
      head.remaining -= take;
      link_budget_ -= take;
      if (head.remaining <= 1e-9) {
        double tx_ms = head.size * 8000.0 / capacity_;
        double waited_ms = static_cast<double>(to_micros(now_ - head.enqueued)) / 1000.0 - tx_ms;
        queue_delays_.push_back({elapsed_s(), std::max(0.0, waited_ms)});
        queued_bytes_ -= head.size;
        if (!random_drop()) in_flight_.push_back({head.seq, now_ + config_.propagation});
        queue_.pop_front();
      }
    }
    // An idle link banks nothing.
    if (queue_.empty()) link_budget_ = std::min(link_budget_, 0.0);
  }

  void deliver_to_receiver() {
    while (!in_flight_.empty() && in_flight_.front().second <= now_) {
      // The peer's clock runs with a large offset: only differences may matter.
      received_[in_flight_.front().first] = in_flight_.front().second + seconds(1000);
      highest_received_ = std::max(highest_received_, in_flight_.front().first);
      in_flight_.pop_front();
    }
  }

  void maybe_send_feedback() {
    if (now_ - last_feedback_ < config_.feedback_interval) return;
    last_feedback_ = now_;
    if (highest_received_ < next_report_seq_) return;  // nothing new arrived: no feedback
    Feedback fb;
    fb.generated_at = now_;
    fb.deliver_at = now_ + config_.propagation + config_.feedback_extra_delay;
    for (int64_t seq = next_report_seq_; seq <= highest_received_; ++seq) {
      PacketResult r;
      r.transport_sequence = seq;
      r.send_time = sent_[seq].send;
      r.size = sent_[seq].size;
      auto it = received_.find(seq);
      if (it != received_.end()) {
        r.arrival = it->second;
        fb.last_arrival_peer = it->second;
        fb.last_send = r.send_time;
        received_.erase(it);
      }
      fb.report.packets.push_back(r);
      sent_.erase(seq);
    }
    next_report_seq_ = highest_received_ + 1;
    feedback_.push_back(std::move(fb));
  }

  void deliver_feedback() {
    while (!feedback_.empty() && feedback_.front().deliver_at <= now_) {
      Feedback& fb = feedback_.front();
      fb.report.received_at = now_;
      // RTT of the newest packet, less the time it waited at the receiver.
      Duration held = fb.generated_at + seconds(1000) - fb.last_arrival_peer;
      bwe_.on_rtt(now_ - fb.last_send - held, now_);
      int before = bwe_.target_bitrate_bps();
      bwe_.on_feedback(fb.report);
      if (bwe_.target_bitrate_bps() != before) {
        BweEstimateState e = bwe_.estimate_state(now_);
        changes_.push_back({elapsed_s(), e.target_bps, e.last_reason, e.loss_fraction,
                            e.acknowledged_bps, e.standing_queue});
      }
      feedback_.pop_front();
    }
  }

  SimConfig config_;
  BandwidthEstimator bwe_;
  double capacity_;
  bool outage_ = false;
  double app_limit_ = 0;
  struct SplitMix {
    explicit SplitMix(uint64_t s) : x(s) {}
    uint64_t operator()() {
      uint64_t z = (x += 0x9E3779B97F4A7C15ull);
      z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
      z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
      return z ^ (z >> 31);
    }
    uint64_t x;
  } rng_;
  bool bad_ = false;

  Instant start_ = Instant{} + seconds(10);
  Instant now_ = start_;
  Instant next_send_;
  Instant next_frame_ = start_;
  Instant next_audio_ = start_;
  Pacer pacer_;
  Duration max_pacer_delay_{};
  Instant last_sample_ = start_;
  Instant last_feedback_ = start_;
  int64_t next_seq_ = 1;
  std::map<int64_t, Sent> sent_;
  std::deque<InQueue> queue_;
  size_t queued_bytes_ = 0;
  double link_budget_ = 0;
  std::deque<std::pair<int64_t, Instant>> in_flight_;
  std::map<int64_t, Instant> received_;
  int64_t highest_received_ = 0;
  int64_t next_report_seq_ = 1;
  std::deque<Feedback> feedback_;
  std::vector<RateSample> samples_;
  std::vector<RateChange> changes_;
  std::deque<std::pair<Instant, int>> target_history_;
  std::vector<std::pair<double, double>> queue_delays_;
};

}  // namespace peercall::bwe_sim
