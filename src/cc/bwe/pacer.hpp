#pragma once
// Leaky-bucket pacer (sans-I/O): keeps what is sent near the pacing rate, so
// that a backlog (a frame above the burst allowance, retransmissions after a
// loss, a queue built while the estimate fell) does not hit the bottleneck as
// one burst. The session enqueues packets and polls at next_send_time().
//
// - Audio is never paced behind video: it leaves at the next poll (it still
//   uses up budget, so the total stays near the pacing rate).
// - Then retransmissions, then video in FIFO order, then padding.
// - A burst allowance of `burst` at the rate (at least one packet: sending
//   needs only a positive budget): what idle time banks. 40 ms, as in
//   libwebrtc's pacer since 2023 (its send burst interval): at 2.5 x the
//   estimate that is 3 average frames, so a frame, even a VBV-capped
//   keyframe, leaves whole at once (720p at 1.5 Mbit/s with 5 ms: a frame's
//   last packet left 1.0 ms after its first, p95 1.7 ms, all of it
//   glass-to-glass latency), while at a low estimate the burst stays small
//   in bytes. A standing queue (a frame
//   larger than that, retransmissions, a raised queue) is still spread at the
//   rate, as is everything once the allowance is spent.
// - Latency beats smoothness: if the queue would take longer than
//   `max_queue_time` at the pacing rate, the rate is raised so that it drains
//   within that, and stays raised until the queue is empty. Nothing is dropped.
#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>

#include "core/bytes.hpp"
#include "core/time.hpp"

namespace peercall {

enum class PacketPriority { kAudio = 0, kRetransmission = 1, kVideo = 2, kPadding = 3 };

struct PacerConfig {
  int64_t initial_rate_bps = 2'500'000;
  Duration burst = milliseconds(40);
  Duration max_queue_time = milliseconds(150);
};

struct PacerStats {
  size_t queued_packets = 0;
  size_t queued_bytes = 0;
  Duration oldest_wait{};           // how long the oldest queued packet has waited
  Duration expected_queue_time{};   // paced bytes at the effective rate
  int64_t pacing_rate_bps = 0;
  int64_t effective_rate_bps = 0;   // > pacing rate while draining an over-long queue
  int64_t sent_packets = 0;
  int64_t sent_bytes = 0;
  int64_t rate_raises = 0;          // how often the queue bound raised the rate
  int64_t dropped_packets = 0;      // taken out unsent by drop_queued (superseded)
};

class Pacer {
 public:
  explicit Pacer(PacerConfig config = {});

  // The session sets pacing_factor x target (recommended 2.5, see the report).
  void set_pacing_rate(int64_t bps);
  void enqueue(Bytes packet, PacketPriority priority, Instant now);
  // The next packet due at `now`, if any. Call until it returns nullopt, then
  // wait until next_send_time().
  std::optional<Bytes> poll(Instant now);
  // When poll will next return a packet; Instant::max() when the queue is empty.
  Instant next_send_time() const;
  Duration queue_delay(Instant now) const;  // the oldest queued packet's wait
  PacerStats stats(Instant now) const;
  bool empty() const;
  // Takes the queued packets of `priority` that `which` picks out of the
  // queue unsent (a keyframe makes the video queued before it useless: on a
  // congested link it would only delay the keyframe). How many it dropped.
  size_t drop_queued(PacketPriority priority, const std::function<bool(ByteView)>& which);

 private:
  struct Queued {
    Bytes packet;
    Instant enqueued;
  };
  void refill(Instant now);
  double effective_rate_bps() const;
  double burst_bytes() const;
  bool paced_empty() const;

  PacerConfig config_;
  int64_t pacing_rate_bps_;
  double raised_rate_bps_ = 0;  // the queue bound's rate while draining, 0 if not
  std::array<std::deque<Queued>, 4> queues_;
  size_t paced_bytes_ = 0;      // all but audio
  size_t audio_bytes_ = 0;
  double budget_bytes_;         // negative: bytes sent ahead of the rate
  std::optional<Instant> last_refill_;
  int64_t sent_packets_ = 0;
  int64_t sent_bytes_ = 0;
  int64_t rate_raises_ = 0;
  int64_t dropped_packets_ = 0;
};

}  // namespace peercall
