#pragma once
// Receive-side H.264 frame assembler (RFC 6184 packetization-mode=1). Fed RTP
// payloads in arrival order (reordered, duplicated or lost), it hands out
// whole access units in decode order and says when a keyframe is needed.
// Sans-I/O: no clock reads; `arrival` is only carried through.
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
};

class H264Depacketizer {
 public:
  static constexpr size_t kMaxBufferedPackets = 1024;
  static constexpr size_t kMaxReadyFrames = 64;

  // seq is already unwrapped to int64 by the caller (monotonic across 16-bit wrap).
  void push(int64_t seq, uint32_t rtp_timestamp, bool marker, ByteView payload, Instant arrival);
  // Complete frames, in decode order.
  std::optional<H264AccessUnit> pop_frame();
  // True once after a loss is detected, and on every call while waiting for
  // the first keyframe (a late joiner): the session sends RTCP PLI and
  // rate-limits it.
  bool take_keyframe_request();
  const H264DepacketizerStats& stats() const { return stats_; }
  size_t buffered_packets() const { return packets_.size(); }

 private:
  struct Packet {
    uint32_t timestamp;
    bool marker;
    bool can_start;  // could be the first packet of a frame (not an FU-A middle/end)
    Instant arrival;
    Bytes payload;
  };
  struct Span {
    int64_t first, last;
  };
  static constexpr size_t kHistory = 1024;  // consumed seqs remembered to tell duplicates from late packets

  void assemble();
  std::optional<Span> find_complete_frame() const;
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
  H264DepacketizerStats stats_;
};

}  // namespace peercall
