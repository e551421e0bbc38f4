#pragma once
// What the jitter buffer tells its decoder to do for the next 20 ms of
// playout (the vocabulary of NetEq's decision logic, reduced to whole frames).
#include <cstdint>

#include "core/bytes.hpp"
#include "core/time.hpp"

namespace peercall {

enum class FrameKind {
  kSilence,       // nothing is expected: before the first packet, in a talker's DTX pause
  kNormal,        // the expected packet, decoded
  kFecRecovered,  // the expected packet is lost; the next one's in-band FEC rebuilds it
  kConcealed,     // the expected packet is lost (or too late) and no FEC: concealment, slot given up
  kExpanded,      // the expected packet is missing; conceal but keep its slot (wait = more delay)
  kAccelerated,   // two packets squeezed into one frame (less delay)
};

const char* to_string(FrameKind kind);

struct PlayoutDecision {
  FrameKind kind = FrameKind::kSilence;
  // kNormal, kAccelerated: the packet to decode. kFecRecovered: a copy of the
  // packet that follows the lost one (it stays buffered and is decoded
  // normally on the next pull; its FEC half rebuilds this frame).
  Bytes payload;
  // kAccelerated: the packet after `payload`, decoded and blended into it.
  Bytes second;
  uint32_t rtp_timestamp = 0;  // the slot this frame stands for
  Instant capture_time{};      // the packet's, when it had one
};

}  // namespace peercall
