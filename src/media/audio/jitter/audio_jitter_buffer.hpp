#pragma once
// The audio jitter buffer: Opus packets in (any order, any time), one playout
// decision out per 20 ms pull. Sans-I/O: it is handed arrival and pull times,
// decodes nothing (AudioPlayout does), owns no thread and no lock.
//
// Playout runs on a timeline of RTP timestamps that advances one frame per
// pull. The delay it adds is the "offset": how long after the fastest recent
// packet's schedule a frame is played (DelayEstimator). On a clean link the
// first packet plays at the first pull after it arrives and the offset stays
// at that pull phase (< 20 ms): no added delay. The offset changes only on
// purpose:
//   - expand: the expected packet is missing and we are below the target (or,
//     with nothing buffered at all, within one frame above it): conceal, keep
//     the slot, so a late packet still plays (+20 ms);
//   - accelerate: the offset stays a whole frame above the target for a
//     while: two packets are blended into one frame (-20 ms); this also
//     absorbs a sender clock that runs faster than ours.
//   - stretch: a minimum delay (lip sync: the pictures are late) is set
//     above the offset: one frame is concealed while its packet waits
//     (+20 ms), at most one every stretch_after (when quiet) or
//     stretch_forced_after, so the delay rises gently, never as a burst.
// The target is the larger of what the jitter asks for and that minimum.
// A missing packet not waited for is lost: rebuilt from the next packet's
// in-band FEC when that one is here, concealed otherwise. After a loss the
// target keeps one frame of headroom for a while, so that the next packet is
// usually here in time for FEC.
// A packet for a slot already played or given up is late and dropped; a DTX
// pause (timestamp jump without a sequence gap) is silence, not loss; the
// stream restarts after a long silence, a big jump ahead, or a run of
// packets that are all late.
#include <cstdint>
#include <deque>
#include <map>
#include <utility>
#include <optional>

#include "core/bytes.hpp"
#include "core/time.hpp"
#include "media/audio/jitter/delay_estimator.hpp"
#include "media/audio/jitter/playout_decision.hpp"
#include "media/audio/jitter/rtp_unwrapper.hpp"

namespace peercall {

struct AudioJitterBufferConfig {
  DelayEstimatorConfig delay;
  int frame_samples = 960;  // 20 ms at 48 kHz: the pull size and our packet size
  // After a loss, one frame of extra target for this long, so FEC can be used.
  bool fec_headroom = true;
  Duration fec_hold = seconds(5);
  // With nothing buffered, a missing packet is waited for while the offset is
  // below target + this (so a single reordered packet is not lost).
  int empty_wait_margin_ms = 20;
  // Accelerate once the offset has been a frame above target this long and
  // the frame is quiet, or this much longer whatever the audio.
  Duration accelerate_after = milliseconds(100);
  Duration accelerate_forced_after = milliseconds(400);
  // Stretch towards the minimum delay at most once per this while the frame
  // is quiet, or once per the longer time whatever the audio.
  Duration stretch_after = milliseconds(100);
  Duration stretch_forced_after = milliseconds(400);
  Duration max_buffered = milliseconds(1000);    // beyond: the oldest packets are dropped
  Duration max_jump = seconds(1);                 // a packet this far ahead: the stream restarted
  Duration late_run_reset = milliseconds(300);   // only late packets for this long: restart
  Duration silence_reset = seconds(5);           // no packet for this long: restart on the next
};

struct AudioJitterStats {
  uint64_t packets_inserted = 0;    // accepted into the buffer
  uint64_t late_dropped = 0;        // arrived after their slot was played or given up
  uint64_t duplicates_dropped = 0;
  uint64_t overflow_dropped = 0;    // pushed out: too much waiting, or playout fell far behind
  uint64_t invalid_dropped = 0;     // empty payloads
  uint64_t frames = 0;              // pulls answered (= 20 ms frames played out)
  uint64_t normal = 0;
  uint64_t fec_recovered = 0;
  uint64_t concealed = 0;           // lost slots concealed (kConcealed)
  uint64_t expanded = 0;            // concealment frames that waited (kExpanded)
  uint64_t stretched = 0;           // of those: waits to reach the minimum delay
  uint64_t accelerated = 0;         // frames that carried two packets
  uint64_t silence = 0;             // before the first packet, DTX pauses
  uint64_t resets = 0;
  int buffer_delay_ms = 0;          // offset of the frame played at the last pull
  int buffered_ms = 0;              // audio waiting in the buffer after the last pull
  int target_delay_ms = 0;          // what playout aims at: max(jitter target, minimum)
  int jitter_target_ms = 0;         // what the jitter (and FEC headroom) asks for
  int minimum_delay_ms = 0;         // set by set_minimum_delay

  // Share of played audio that was made up (PLC), for the call's stats line.
  double concealed_fraction() const {
    const uint64_t audio = frames - silence;
    return audio ? double(concealed + expanded) / double(audio) : 0.0;
  }
};

enum class InsertResult { kAccepted, kLate, kDuplicate, kInvalid };

class AudioJitterBuffer {
 public:
  explicit AudioJitterBuffer(AudioJitterBufferConfig config = {});

  // One received packet: RTP sequence number and timestamp (48 kHz), the
  // Opus payload, when it arrived, and the capture time the session derived.
  InsertResult insert(uint16_t sequence, uint32_t rtp_timestamp, Bytes payload, Instant arrival,
                      Instant capture_time = {});

  // The playout clock's pull, every 20 ms: what to produce now. `quiet` says
  // the last frame played was near silence, a good moment to accelerate.
  PlayoutDecision next(Instant now, bool quiet = false);

  // A floor under the target delay (NetEq's SetMinimumDelay), for lip sync:
  // reached by stretching, left by accelerating, both gradually. 0 = none.
  void set_minimum_delay(Duration minimum);

  const AudioJitterStats& stats() const { return stats_; }
  int target_delay_ms() const;  // max(jitter_target_ms(), the minimum)
  int jitter_target_ms() const;

 private:
  struct Packet {
    int64_t sequence;
    Bytes payload;
    Instant arrival;
    Instant capture_time;
  };
  using Store = std::map<int64_t, Packet>;  // by unwrapped timestamp

  void restart();  // forget the stream: the next packet starts playout afresh
  InsertResult store(int64_t timestamp, int64_t sequence, Bytes payload, Instant arrival,
                     Instant capture_time);
  bool was_consumed(int64_t sequence) const;
  PlayoutDecision take(Store::iterator it, FrameKind kind);
  void note_consumed(int64_t sequence, int64_t timestamp);
  void drop_overflow();
  void update_levels(double offset_ms);
  void give_up_slot(Instant now);
  bool stretch_to_minimum(double offset, Instant now, bool quiet);
  double frame_ms() const;

  AudioJitterBufferConfig config_;
  DelayEstimator delay_;
  SequenceUnwrapper sequences_;
  TimestampUnwrapper timestamps_;
  Store packets_;
  bool started_ = false;
  int64_t next_timestamp_ = 0;  // the slot the next pull plays
  // The last packet decoded, for DTX detection; recent sequence numbers
  // consumed, to tell duplicates from late packets.
  std::optional<int64_t> last_sequence_;
  int64_t last_timestamp_ = 0;
  std::deque<int64_t> consumed_;
  uint64_t concealed_since_played_ = 0;  // may turn out to have been DTX
  std::optional<Instant> above_target_since_;
  int minimum_delay_ms_ = 0;
  std::optional<Instant> below_minimum_since_;
  // Slots given up (concealed or rebuilt) within fec_hold: losses, unless
  // their packet turns up late after all (then it was jitter, not loss).
  std::deque<std::pair<int64_t, Instant>> given_up_;
  std::optional<Instant> late_run_since_;
  std::optional<Instant> last_arrival_;
  AudioJitterStats stats_;
};

}  // namespace peercall
