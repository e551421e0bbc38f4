#include "media/audio/jitter/audio_playout.hpp"

#include <algorithm>
#include <cmath>

#include "media/codec/opus_decoder.hpp"

namespace peercall {
namespace {

constexpr double kQuietRms = 180.0;  // about -45 dBFS for s16

AudioFrame silence() {
  AudioFrame out;
  out.samples.assign(kAudioFrameSamples, 0);
  return out;
}

}  // namespace

AudioFrame blend_frames(const AudioFrame& first, const AudioFrame& second) {
  const size_t n = std::min(first.samples.size(), second.samples.size());
  AudioFrame out;
  out.samples.resize(n);
  out.capture_time = first.capture_time;
  for (size_t i = 0; i < n; ++i) {
    const double w = (double(i) + 0.5) / double(n);
    out.samples[i] = int16_t(std::lround((1.0 - w) * first.samples[i] + w * second.samples[i]));
  }
  return out;
}

bool is_quiet(const AudioFrame& frame) {
  if (frame.samples.empty()) return true;
  double energy = 0.0;
  for (int16_t s : frame.samples) energy += double(s) * s;
  return std::sqrt(energy / double(frame.samples.size())) < kQuietRms;
}

Result<std::unique_ptr<AudioPlayout>> AudioPlayout::create(AudioJitterBufferConfig config) {
  auto decoder = OpusDecoder::create();
  if (!decoder) return Error{decoder.error()};
  return std::unique_ptr<AudioPlayout>(new AudioPlayout(config, std::move(*decoder)));
}

AudioPlayout::AudioPlayout(AudioJitterBufferConfig config, std::unique_ptr<OpusDecoder> decoder)
    : buffer_(config), decoder_(std::move(decoder)) {}

AudioPlayout::~AudioPlayout() = default;

InsertResult AudioPlayout::insert(uint16_t sequence, uint32_t rtp_timestamp, Bytes opus_payload,
                                  Instant arrival, Instant capture_time) {
  std::lock_guard lock(mu_);
  return buffer_.insert(sequence, rtp_timestamp, std::move(opus_payload), arrival, capture_time);
}

AudioFrame AudioPlayout::next_frame(Instant now, PlayoutInfo* info) {
  PlayoutDecision decision;
  {
    std::lock_guard lock(mu_);
    decision = buffer_.next(now, last_quiet_);
  }
  if (info) *info = PlayoutInfo{decision.kind, decision.rtp_timestamp};
  AudioFrame out = render(decision);
  if (out.samples.size() != size_t(kAudioFrameSamples)) out.samples.resize(kAudioFrameSamples, 0);
  last_quiet_ = is_quiet(out);
  return out;
}

AudioFrame AudioPlayout::conceal() {
  AudioFrame out = decoder_->conceal();  // keeps the decoder aware of the gap
  if (++concealed_run_ > kMaxConcealedRun) out.samples.assign(kAudioFrameSamples, 0);
  return out;
}

AudioFrame AudioPlayout::decode_or_conceal(ByteView payload, bool fec) {
  auto decoded = fec ? decoder_->recover(payload) : decoder_->decode(payload);
  if (!decoded) {
    ++decode_errors_;
    return conceal();
  }
  concealed_run_ = 0;
  return std::move(*decoded);
}

AudioFrame AudioPlayout::render(PlayoutDecision& d) {
  AudioFrame out;
  switch (d.kind) {
    case FrameKind::kSilence: out = silence(); break;
    case FrameKind::kConcealed:
    case FrameKind::kExpanded: out = conceal(); break;
    case FrameKind::kNormal: out = decode_or_conceal(d.payload, false); break;
    case FrameKind::kFecRecovered: out = decode_or_conceal(d.payload, true); break;
    case FrameKind::kAccelerated: {
      AudioFrame first = decode_or_conceal(d.payload, false);
      AudioFrame second = decode_or_conceal(d.second, false);
      out = blend_frames(first, second);
      break;
    }
  }
  out.capture_time = d.capture_time;
  return out;
}

void AudioPlayout::set_minimum_delay(Duration minimum) {
  std::lock_guard lock(mu_);
  buffer_.set_minimum_delay(minimum);
}

AudioPlayoutStats AudioPlayout::stats() const {
  AudioPlayoutStats s;
  {
    std::lock_guard lock(mu_);
    s.jitter = buffer_.stats();
  }
  s.decode_errors = decode_errors_;
  return s;
}

}  // namespace peercall
