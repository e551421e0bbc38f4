#pragma once
// Opus voice encoder (libopus): 48 kHz mono, 20 ms frames, VoIP mode, in-band
// FEC on so the receiver can rebuild a lost frame from the next packet, DTX
// off so packets keep flowing at a steady pace. Single-threaded object.
#include <cstdint>
#include <memory>

#include <opus.h>

#include "core/result.hpp"
#include "media/frames.hpp"

namespace peercall {

struct OpusEncoderConfig {
  int bitrate_bps = 32'000;
  // In-band FEC is only spent when the encoder expects loss; start modest.
  int expected_loss_percent = 10;
};

// Within namespace peercall this name is ours; libopus's C struct is the
// global ::OpusEncoder (so avoid `using namespace peercall` at global scope).
class OpusEncoder {
 public:
  static Result<std::unique_ptr<OpusEncoder>> create(const OpusEncoderConfig& config);
  static Result<std::unique_ptr<OpusEncoder>> create() { return create(OpusEncoderConfig{}); }

  // Exactly kAudioFrameSamples samples in. rtp_timestamp is the count of
  // samples encoded before this frame (the session adds its random offset);
  // keyframe is always true: every Opus packet decodes on its own.
  Result<EncodedFrame> encode(const AudioFrame& frame);

  void set_bitrate(int bps);
  void set_expected_loss(int percent);
  // Samples of delay the codec adds (to align decoded audio with the input).
  int lookahead_samples() const;

 private:
  struct Deleter {
    void operator()(::OpusEncoder* e) const { opus_encoder_destroy(e); }
  };
  explicit OpusEncoder(std::unique_ptr<::OpusEncoder, Deleter> enc) : enc_(std::move(enc)) {}

  std::unique_ptr<::OpusEncoder, Deleter> enc_;
  uint32_t samples_encoded_ = 0;
};

}  // namespace peercall
