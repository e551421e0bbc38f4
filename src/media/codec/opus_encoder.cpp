#include "media/codec/opus_encoder.hpp"

#include <algorithm>

namespace peercall {
namespace {
constexpr int kMaxPacketBytes = 1275;  // the largest single Opus frame (RFC 6716)
}

Result<std::unique_ptr<OpusEncoder>> OpusEncoder::create(const OpusEncoderConfig& config) {
  int err = OPUS_OK;
  std::unique_ptr<::OpusEncoder, Deleter> enc(
      opus_encoder_create(kAudioSampleRate, 1, OPUS_APPLICATION_VOIP, &err));
  if (err != OPUS_OK || !enc) return Error{"opus: encoder create failed"};
  if (opus_encoder_ctl(enc.get(), OPUS_SET_INBAND_FEC(1)) != OPUS_OK ||
      opus_encoder_ctl(enc.get(), OPUS_SET_DTX(0)) != OPUS_OK ||
      opus_encoder_ctl(enc.get(), OPUS_SET_SIGNAL(OPUS_SIGNAL_VOICE)) != OPUS_OK)
    return Error{"opus: encoder setup failed"};
  std::unique_ptr<OpusEncoder> encoder(new OpusEncoder(std::move(enc)));
  encoder->set_bitrate(config.bitrate_bps);
  encoder->set_expected_loss(config.expected_loss_percent);
  return encoder;
}

void OpusEncoder::set_bitrate(int bps) {
  opus_encoder_ctl(enc_.get(), OPUS_SET_BITRATE(std::clamp(bps, 6'000, 510'000)));
}

void OpusEncoder::set_expected_loss(int percent) {
  opus_encoder_ctl(enc_.get(), OPUS_SET_PACKET_LOSS_PERC(std::clamp(percent, 0, 100)));
}

int OpusEncoder::lookahead_samples() const {
  opus_int32 lookahead = 0;
  opus_encoder_ctl(enc_.get(), OPUS_GET_LOOKAHEAD(&lookahead));
  return int(lookahead);
}

Result<EncodedFrame> OpusEncoder::encode(const AudioFrame& frame) {
  if (frame.samples.size() != size_t(kAudioFrameSamples)) return Error{"opus: frame is not 20 ms"};
  EncodedFrame out;
  out.data.resize(kMaxPacketBytes);
  const opus_int32 n = opus_encode(enc_.get(), frame.samples.data(), kAudioFrameSamples,
                                   out.data.data(), kMaxPacketBytes);
  if (n < 0) return Error{"opus: encoding failed"};
  out.data.resize(size_t(n));
  out.rtp_timestamp = samples_encoded_;
  out.keyframe = true;
  out.capture_time = frame.capture_time;
  samples_encoded_ += kAudioFrameSamples;  // wraps like RTP time
  return out;
}

}  // namespace peercall
