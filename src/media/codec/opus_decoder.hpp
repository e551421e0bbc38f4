#pragma once
// Opus decoder (libopus), 48 kHz mono. Every call yields exactly one 20 ms
// frame, so playout keeps its pace through losses. Single-threaded object.
#include <memory>

#include <opus.h>

#include "core/bytes.hpp"
#include "core/result.hpp"
#include "media/frames.hpp"

namespace peercall {

// Within namespace peercall this name is ours; libopus's C struct is the
// global ::OpusDecoder (so avoid `using namespace peercall` at global scope).
class OpusDecoder {
 public:
  static Result<std::unique_ptr<OpusDecoder>> create();

  // One packet of exactly 20 ms (what our encoder sends) -> 960 samples.
  // capture_time is left for the caller, which knows the packet's timing.
  Result<AudioFrame> decode(ByteView packet);
  // Packet loss concealment for one missing 20 ms frame.
  AudioFrame conceal();
  // Rebuilds a missing frame from the in-band FEC carried by the packet that
  // followed it (falls back to concealment if that packet carries none);
  // then decode(next_packet) as usual.
  Result<AudioFrame> recover(ByteView next_packet);

 private:
  struct Deleter {
    void operator()(::OpusDecoder* d) const { opus_decoder_destroy(d); }
  };
  explicit OpusDecoder(std::unique_ptr<::OpusDecoder, Deleter> dec) : dec_(std::move(dec)) {}
  Result<AudioFrame> run(ByteView packet, bool fec);

  std::unique_ptr<::OpusDecoder, Deleter> dec_;
};

}  // namespace peercall
