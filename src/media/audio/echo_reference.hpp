#pragma once
// What the speaker really plays, handed from the speaker's audio thread to the
// microphone's reader so the echo canceller can subtract it. A bounded ring:
// the speaker pushes every sample it hands to the device (silence included, so
// the timeline has no holes), stamped with when it will be heard; the reader
// takes 10 ms frames in order. If nobody reads, the oldest samples go.
//
// Thread-safe (one short mutex); fed Instants, never reads a clock.
#include <cstdint>
#include <mutex>
#include <optional>
#include <span>
#include <vector>

#include "core/time.hpp"

namespace peercall {

class EchoReference {
 public:
  static constexpr int kSampleRate = 48000;
  // 500 ms: the canceller's own delay range; older audio is useless to it.
  static constexpr size_t kCapacitySamples = kSampleRate / 2;

  struct Frame {
    std::vector<int16_t> samples;
    Instant play_time{};  // when its first sample is heard (an estimate)
  };

  EchoReference() : ring_(kCapacitySamples) {}

  // Speaker thread: `samples` were just handed to the device and its first one
  // is heard at `play_time` (now + the device's delay).
  void push(std::span<const int16_t> samples, Instant play_time);
  // Reader: the oldest `count` samples, if that many are buffered.
  std::optional<Frame> pop(size_t count);

  // True once the speaker has pushed anything: the canceller has a reference.
  bool active() const;
  size_t buffered() const;
  uint64_t dropped_samples() const;

 private:
  mutable std::mutex mu_;  // guards everything below
  std::vector<int16_t> ring_;
  size_t head_ = 0;  // oldest sample
  size_t size_ = 0;
  Instant end_play_time_{};  // when the sample after the newest one is heard
  bool active_ = false;
  uint64_t dropped_ = 0;
};

}  // namespace peercall
