#pragma once
// The jitter buffer and the Opus decoder together: packets in from the
// network thread, exactly one 20 ms 48 kHz mono frame out per pull from
// whoever owns the playout clock (decoded, FEC-rebuilt, concealed, blended,
// or silence). Thread-safe in that split: insert() and stats() from any
// thread; next_frame() from one thread at a time (it owns the decoder, which
// runs outside the lock so the network thread never waits for a decode).
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>

#include "core/bytes.hpp"
#include "core/result.hpp"
#include "core/time.hpp"
#include "media/audio/jitter/audio_jitter_buffer.hpp"
#include "media/frames.hpp"

namespace peercall {

class OpusDecoder;

// What one pull produced, for callers that log or test it.
struct PlayoutInfo {
  FrameKind kind = FrameKind::kSilence;
  uint32_t rtp_timestamp = 0;  // the slot the frame stands for (kAccelerated: the first of two)
};

struct AudioPlayoutStats {
  AudioJitterStats jitter;
  uint64_t decode_errors = 0;  // packets libopus refused (played as concealment)
};

class AudioPlayout {
 public:
  // Concealment beyond this many frames in a row plays silence: PLC has faded
  // by then and only buzzes.
  static constexpr int kMaxConcealedRun = 10;

  static Result<std::unique_ptr<AudioPlayout>> create(AudioJitterBufferConfig config = {});
  ~AudioPlayout();

  // Network thread (any thread).
  InsertResult insert(uint16_t sequence, uint32_t rtp_timestamp, Bytes opus_payload,
                      Instant arrival, Instant capture_time = {});

  // The playout clock, every 20 ms: exactly kAudioFrameSamples samples.
  // `info`, when given, says what was done.
  AudioFrame next_frame(Instant now, PlayoutInfo* info = nullptr);

  // Any thread: the jitter buffer's minimum delay (lip sync).
  void set_minimum_delay(Duration minimum);

  AudioPlayoutStats stats() const;

 private:
  AudioPlayout(AudioJitterBufferConfig config, std::unique_ptr<OpusDecoder> decoder);
  AudioFrame render(PlayoutDecision& decision);
  AudioFrame decode_or_conceal(ByteView payload, bool fec);
  AudioFrame conceal();

  mutable std::mutex mu_;
  AudioJitterBuffer buffer_;  // guarded by mu_
  // Playout thread only.
  std::unique_ptr<OpusDecoder> decoder_;
  int concealed_run_ = 0;
  bool last_quiet_ = true;
  std::atomic<uint64_t> decode_errors_{0};
};

// Two consecutive frames blended into one (a linear cross-fade from the first
// to the second): 20 ms of audio dropped with no discontinuity at either end.
AudioFrame blend_frames(const AudioFrame& first, const AudioFrame& second);
// True when the frame is near silence (RMS below about -45 dBFS).
bool is_quiet(const AudioFrame& frame);

}  // namespace peercall
