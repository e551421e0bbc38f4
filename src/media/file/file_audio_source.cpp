#include "media/file/file_audio_source.hpp"

#include <algorithm>

extern "C" {
#include <libavutil/channel_layout.h>
}

namespace peercall {

Result<std::unique_ptr<FileAudioSource>> FileAudioSource::open(const FileAudioSourceConfig& config) {
  auto reader = MediaFileReader::open(
      {.path = config.path, .type = AVMEDIA_TYPE_AUDIO, .loop = config.loop, .live = config.live});
  if (!reader) return Error{reader.error()};
  std::unique_ptr<FileAudioSource> s(new FileAudioSource());
  s->config_ = config;
  s->reader_ = std::move(*reader);
  return s;
}

FileAudioSource::~FileAudioSource() { av_channel_layout_uninit(&in_layout_); }

std::optional<AudioFrame> FileAudioSource::read() {
  if (pacer_.interrupted()) return std::nullopt;
  while (pending_.size() < size_t(kAudioFrameSamples) && !ended_) {
    const AVFrame* decoded = reader_->next();
    if (!decoded) {
      ended_ = true;
      error_ = reader_->error();
      if (swr_) resample(nullptr);
    } else if (!resample(decoded)) {
      ended_ = true;
    }
  }
  if (pending_.empty()) return std::nullopt;

  AudioFrame frame;
  const size_t n = std::min(pending_.size(), size_t(kAudioFrameSamples));
  frame.samples.assign(pending_.begin(), pending_.begin() + std::ptrdiff_t(n));
  frame.samples.resize(kAudioFrameSamples, 0);  // the tail of the file, padded with silence
  pending_.erase(pending_.begin(), pending_.begin() + std::ptrdiff_t(n));
  // Paced by samples handed out, not container timestamps: audio must be gapless.
  const auto due = microseconds(int64_t(frames_out_) * kAudioFrameSamples * 1'000'000 / kAudioSampleRate);
  Instant captured = Clock::now();
  if (config_.realtime && !config_.live) {
    const std::optional<Instant> scheduled = pacer_.wait(due);
    if (!scheduled) return std::nullopt;
    captured = *scheduled;
  }
  ++frames_out_;
  frame.capture_time = captured;
  return frame;
}

bool FileAudioSource::configure(const AVFrame& in) {
  AVChannelLayout layout{};
  if (in.ch_layout.order == AV_CHANNEL_ORDER_UNSPEC) {
    av_channel_layout_default(&layout, in.ch_layout.nb_channels);  // e.g. raw wav: assume the usual layout
  } else if (av_channel_layout_copy(&layout, &in.ch_layout) < 0) {
    error_ = "out of memory";
    return false;
  }
  AVChannelLayout mono = AV_CHANNEL_LAYOUT_MONO;  // not const: FFmpeg 5.1 takes a non-const pointer
  SwrContext* raw = nullptr;
  int err = swr_alloc_set_opts2(&raw, &mono, AV_SAMPLE_FMT_S16, kAudioSampleRate, &layout,
                                AVSampleFormat(in.format), in.sample_rate, 0, nullptr);
  swr_.reset(raw);
  if (err >= 0) err = swr_init(swr_.get());
  av_channel_layout_uninit(&layout);
  if (err < 0) {
    swr_.reset();
    error_ = "cannot resample " + std::to_string(in.sample_rate) + " Hz audio: " + av_error_text(err);
    return false;
  }
  in_rate_ = in.sample_rate;
  in_format_ = in.format;
  av_channel_layout_uninit(&in_layout_);
  av_channel_layout_copy(&in_layout_, &in.ch_layout);
  return true;
}

bool FileAudioSource::resample(const AVFrame* in) {
  if (in && (!swr_ || in->sample_rate != in_rate_ || in->format != in_format_ ||
             av_channel_layout_compare(&in->ch_layout, &in_layout_) != 0)) {
    if (!configure(*in)) return false;
  }
  const int in_samples = in ? in->nb_samples : 0;
  const int max_out = swr_get_out_samples(swr_.get(), in_samples);
  if (max_out <= 0) return true;
  const size_t old = pending_.size();
  pending_.resize(old + size_t(max_out));
  auto* out = reinterpret_cast<uint8_t*>(pending_.data() + old);
  const int got = swr_convert(swr_.get(), &out, max_out,
                              in ? const_cast<const uint8_t**>(in->extended_data) : nullptr, in_samples);
  pending_.resize(old + size_t(std::max(got, 0)));
  if (got < 0) {
    error_ = "resampling: " + av_error_text(got);
    return false;
  }
  return true;
}

void FileAudioSource::interrupt() {
  reader_->interrupt();
  pacer_.interrupt();
}

std::string FileAudioSource::describe() const {
  return "audio file " + reader_->describe() + " -> 48000 Hz mono";
}

}  // namespace peercall
