#include "media/codec/opus_decoder.hpp"

namespace peercall {

Result<std::unique_ptr<OpusDecoder>> OpusDecoder::create() {
  int err = OPUS_OK;
  std::unique_ptr<::OpusDecoder, Deleter> dec(opus_decoder_create(kAudioSampleRate, 1, &err));
  if (err != OPUS_OK || !dec) return Error{"opus: decoder create failed"};
  return std::unique_ptr<OpusDecoder>(new OpusDecoder(std::move(dec)));
}

Result<AudioFrame> OpusDecoder::decode(ByteView packet) { return run(packet, false); }

Result<AudioFrame> OpusDecoder::recover(ByteView next_packet) { return run(next_packet, true); }

Result<AudioFrame> OpusDecoder::run(ByteView packet, bool fec) {
  // An empty packet would mean "conceal" to libopus; from the wire it is junk.
  if (packet.empty()) return Error{"opus: empty packet"};
  if (packet.size() > 1500) return Error{"opus: packet too large"};
  const int samples = opus_packet_get_nb_samples(packet.data(), opus_int32(packet.size()),
                                                 kAudioSampleRate);
  if (samples < 0) return Error{"opus: corrupt packet"};
  if (samples != kAudioFrameSamples) return Error{"opus: packet is not 20 ms"};
  AudioFrame out;
  out.samples.resize(kAudioFrameSamples);
  const int n = opus_decode(dec_.get(), packet.data(), opus_int32(packet.size()),
                            out.samples.data(), kAudioFrameSamples, fec ? 1 : 0);
  if (n < 0) return Error{"opus: corrupt packet"};
  if (n != kAudioFrameSamples) return Error{"opus: short decode"};
  return out;
}

AudioFrame OpusDecoder::conceal() {
  AudioFrame out;
  out.samples.resize(kAudioFrameSamples);
  if (opus_decode(dec_.get(), nullptr, 0, out.samples.data(), kAudioFrameSamples, 0) !=
      kAudioFrameSamples)
    out.samples.assign(kAudioFrameSamples, 0);  // silence if libopus cannot help
  return out;
}

}  // namespace peercall
