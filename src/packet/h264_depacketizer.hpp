#pragma once
// Receive-side H.264 frame assembler (RFC 6184 packetization-mode=1). Fed RTP
// payloads in arrival order (reordered, duplicated or lost), it hands out
// whole access units in decode order and says when a keyframe is needed.
//
// Time-aware when given a wait (set_max_wait): a frame missing packets then
// holds the newer complete frames back for as long as a retransmission can
// still repair it (measured from when the gap showed), and only then is it
// given up; frames stay in order. After a loss only a keyframe is handed out
// (the decoder lacks references), and a complete keyframe beyond a gap is
// always skipped to at once. A keyframe is requested only when a frame is given up
// and no keyframe follows it. Sans-I/O: the clock is the packets' `arrival`
// and the `now` of handle_timeout().
#include <bitset>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>

#include "core/bytes.hpp"
#include "core/time.hpp"

namespace peercall {

struct H264AccessUnit {
  Bytes annexb;  // 4-byte start codes
  uint32_t rtp_timestamp = 0;
  bool keyframe = false;  // has an IDR slice (type 5)
  Instant first_packet_arrival{};  // earliest arrival among the frame's packets
  int64_t first_seq = 0, last_seq = 0;
};

struct H264DepacketizerStats {
  uint64_t frames_complete = 0;  // handed out by pop_frame()
  uint64_t frames_lost = 0;      // discarded incomplete/inconsistent (at least one per loss)
  uint64_t frames_dropped_waiting_keyframe = 0;
  uint64_t packets_malformed = 0;
  uint64_t packets_duplicate = 0;
  uint64_t packets_too_late = 0;
  uint64_t frames_waited = 0;        // held back behind a gap that was then repaired in time
  uint64_t skipped_to_keyframe = 0;  // a gap jumped at once because a keyframe was ready
};

class H264Depacketizer {
 public:
  static constexpr size_t kMaxBufferedPackets = 1024;
  static constexpr size_t kMaxReadyFrames = 64;

  // How long a frame missing packets may hold back newer complete frames.
  // Zero (the default): it is given up as soon as a newer frame is complete
  // and a packet of a still newer one arrived (room for reordering only).
  void set_max_wait(Duration wait) { max_wait_ = wait; }
  Duration max_wait() const { return max_wait_; }

  // seq is already unwrapped to int64 by the caller (monotonic across 16-bit wrap).
  void push(int64_t seq, uint32_t rtp_timestamp, bool marker, ByteView payload, Instant arrival);
  // A packet of the stream's sequence that is no part of any picture (a
  // ULPFEC repair in RED shares the media sequence numbers): it fills its
  // place between two frames, so the next frame follows without a gap.
  void push_padding(int64_t seq, uint32_t rtp_timestamp, Instant arrival);
  // Gives up at once on every frame below `seq` that is still missing
  // packets (a gap not worth waiting for: the stream resumed after an
  // outage, and what was lost in it would only show stale pictures). A
  // keyframe is requested unless one is ready beyond the gap.
  void give_up_before(int64_t seq);
  // Gives up on a waiting frame whose time is up.
  void handle_timeout(Instant now);
  // When a frame waits, the instant its wait ends.
  std::optional<Instant> next_timeout() const;
  // Complete frames, in decode order.
  std::optional<H264AccessUnit> pop_frame();
  // True once after a frame is given up (unless a keyframe followed at once),
  // and on every call while waiting for the first keyframe (a late joiner;
  // with a wait set, only once a delta frame was dropped for want of it or
  // the wait since the first packet is over, as the first keyframe may still
  // be on its way): the session sends RTCP PLI and rate-limits it.
  bool take_keyframe_request();
  const H264DepacketizerStats& stats() const { return stats_; }
  size_t buffered_packets() const { return packets_.size(); }

 private:
  struct Packet {
    uint32_t timestamp;
    bool marker;
    bool can_start;  // could be the first packet of a frame (not an FU-A middle/end)
    bool starts_picture;  // ... and begins with a picture's first slice (or no slice)
    Instant arrival;
    Bytes payload;
    bool padding = false;  // push_padding: ends a frame (as a marker would), holds nothing
  };
  struct Span {
    int64_t first, last;
  };
  static constexpr size_t kHistory = 1024;  // consumed seqs remembered to tell duplicates from late packets

  void assemble();
  bool may_give_up(Span blocked);
  bool first_frame_may_be_repaired(Span blocked);
  std::optional<Instant> gap_seen(int64_t from) const;
  bool starts_keyframe(Span frame) const;
  // The oldest complete frame (or, keyframe_only, the oldest complete keyframe).
  std::optional<Span> find_complete_frame(bool keyframe_only = false) const;
  std::optional<Span> find_complete_keyframe() const { return find_complete_frame(true); }
  static bool begins_with_sps(const Bytes& payload);
  void emit(Span frame);
  void drop_oldest_frame();
  size_t consume_until(int64_t seq);
  void on_loss(uint64_t frames);
  bool seen_recently(int64_t seq) const;
  static size_t history_index(int64_t seq) { return static_cast<uint64_t>(seq) % kHistory; }

  std::map<int64_t, Packet> packets_;  // buffered, all >= floor_
  std::optional<int64_t> floor_;       // seqs below were consumed: later arrivals are too late
  bool synced_ = false;                // floor_ is the first seq of the next frame
  std::bitset<kHistory> consumed_;     // indexed by seq % kHistory, for [floor_ - kHistory, floor_)
  std::deque<H264AccessUnit> ready_;
  bool waiting_keyframe_ = true;
  bool got_first_keyframe_ = false;
  bool keyframe_request_ = false;
  Duration max_wait_ = Duration::zero();
  Instant now_{};                        // latest arrival or timeout seen
  std::optional<Instant> wait_deadline_;  // a frame waits until then
  std::optional<Instant> first_arrival_;
  bool waited_ = false;                   // the frame now at floor_ was waited for
  H264DepacketizerStats stats_;
};

}  // namespace peercall
