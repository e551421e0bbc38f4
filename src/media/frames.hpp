#pragma once
// The units that flow through the pipeline. Raw video is tightly packed I420;
// raw audio is 48 kHz mono s16 in 20 ms frames (what Opus wants on the wire).
#include <cstdint>
#include <memory>
#include <vector>

#include "core/time.hpp"

namespace peercall {

inline constexpr int kAudioSampleRate = 48000;
inline constexpr int kAudioFrameSamples = 960;  // 20 ms at 48 kHz
inline constexpr int kVideoClockRate = 90000;

struct VideoFrame {
  int width = 0;   // even
  int height = 0;  // even
  // Y (width*height), then U and V (width/2 * height/2 each). Shared and
  // immutable so that self-view, encoder and recorder need no copies.
  std::shared_ptr<const std::vector<uint8_t>> i420;
  Instant capture_time{};
  uint64_t index = 0;

  static size_t buffer_size(int w, int h) { return size_t(w) * h + 2 * size_t(w / 2) * (h / 2); }
  const uint8_t* y() const { return i420->data(); }
  const uint8_t* u() const { return y() + size_t(width) * height; }
  const uint8_t* v() const { return u() + size_t(width / 2) * (height / 2); }
  bool empty() const { return !i420 || width <= 0 || height <= 0; }
};

struct AudioFrame {
  std::vector<int16_t> samples;  // mono, kAudioSampleRate, usually kAudioFrameSamples long
  Instant capture_time{};
};

// One encoded unit: a whole H.264 access unit (Annex B) or one Opus packet.
struct EncodedFrame {
  std::vector<uint8_t> data;
  uint32_t rtp_timestamp = 0;  // in the codec's RTP clock
  bool keyframe = false;
  Instant capture_time{};
  // Received frames: the capture instant on the SENDER's clock, from its RTCP
  // sender reports (microseconds; 0 = no report yet). Audio and video share
  // that clock, so comparing them gives lip sync.
  int64_t sender_time_us = 0;
  // Sent video: which of the sender's encodings (simulcast) it belongs to.
  int layer = 0;
  // Sent video: x264's rate-control quantizer for the frame (-1 unknown):
  // 0-69, where above 51 (the coarsest H.264 codes) the frame was starved.
  // How blurred it is at this size and rate (ResolutionLadder).
  int qp = -1;
};

}  // namespace peercall
