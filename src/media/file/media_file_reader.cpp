#include "media/file/media_file_reader.hpp"

#include <sys/stat.h>

#include <filesystem>


namespace peercall {
namespace {

// Bigger timestamp jumps than this are treated as a discontinuity (broken or
// concatenated input) instead of a reason to sleep or to burst.
constexpr int64_t kMaxGapUs = 5'000'000;
constexpr int64_t kDefaultFrameUs = 33'333;

const char* kind_name(AVMediaType type) { return type == AVMEDIA_TYPE_VIDEO ? "video" : "audio"; }

// Whether the demuxer already knows enough to decode (a y4m or wav header
// does): then nothing is read ahead to "find stream info".
bool parameters_complete(const AVFormatContext& f) {
  if (f.nb_streams == 0) return false;
  for (unsigned i = 0; i < f.nb_streams; ++i) {
    const AVCodecParameters& p = *f.streams[i]->codecpar;
    if (p.codec_id == AV_CODEC_ID_NONE) return false;
    if (p.codec_type == AVMEDIA_TYPE_VIDEO && (p.width <= 0 || p.height <= 0 || p.format < 0)) return false;
    if (p.codec_type == AVMEDIA_TYPE_AUDIO && (p.sample_rate <= 0 || p.ch_layout.nb_channels <= 0)) return false;
  }
  return true;
}

}  // namespace

bool is_live_input(const std::string& path) {
  if (path == "-" || path.rfind("pipe:", 0) == 0) return true;
  for (const char* scheme : {"rtp:", "rtsp:", "rtmp:", "udp:", "srt:", "tcp:", "rtsps:", "rtmps:"}) {
    if (path.rfind(scheme, 0) == 0) return true;
  }
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && (S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode) || S_ISSOCK(st.st_mode));
}

Result<std::unique_ptr<MediaFileReader>> MediaFileReader::open(const MediaFileReaderConfig& config) {
  const std::string kind = kind_name(config.type);
  auto fail = [&](const std::string& why) {
    return Error(kind + " file '" + config.path + "': " + why);
  };
  if (config.path.empty()) return fail("no path given");
  const bool is_stdin = config.path == "-";
  std::error_code ec;
  if (!is_stdin && std::filesystem::is_directory(config.path, ec)) return fail("is a directory");

  std::unique_ptr<MediaFileReader> r(new MediaFileReader());
  r->config_ = config;
  AVFormatContext* raw = avformat_alloc_context();
  if (!raw) return fail("out of memory");
  raw->interrupt_callback = {&MediaFileReader::interrupt_callback, r.get()};
  const AVInputFormat* forced =
      is_stdin && config.stdin_format ? av_find_input_format(config.stdin_format) : nullptr;
  AVDictionary* options = nullptr;
  if (config.live) {
    // The smallest probe that still finds a y4m or wav header; no buffering
    // of packets inside libavformat; wav packets of 20 ms, not 4096 bytes.
    raw->probesize = 2048;
    raw->max_analyze_duration = 0;
    raw->flags |= AVFMT_FLAG_NOBUFFER;
    av_dict_set(&options, "max_size", "1920", 0);
  }
  // On failure avformat_open_input frees the context itself.
  int err = avformat_open_input(&raw, is_stdin ? "pipe:0" : config.path.c_str(), forced, &options);
  av_dict_free(&options);
  if (err < 0) return fail(av_error_text(err));
  r->format_.reset(raw);
  if (!config.live || !parameters_complete(*raw)) {
    if ((err = avformat_find_stream_info(raw, nullptr)) < 0) return fail(av_error_text(err));
  }

  const AVCodec* codec = nullptr;
  const int index = av_find_best_stream(raw, config.type, -1, -1, &codec, 0);
  if (index == AVERROR_STREAM_NOT_FOUND) return fail("no " + kind + " stream");
  if (index < 0 || !codec) return fail("no decoder for the " + kind + " stream");
  AVStream* stream = raw->streams[index];
  if (stream->disposition & AV_DISPOSITION_ATTACHED_PIC) return fail("no " + kind + " stream (only cover art)");
  r->stream_index_ = index;
  // Let the demuxer skip everything else instead of handing us packets to drop.
  for (unsigned i = 0; i < raw->nb_streams; ++i) {
    if (int(i) != index) raw->streams[i]->discard = AVDISCARD_ALL;
  }

  r->decoder_.reset(avcodec_alloc_context3(codec));
  if (!r->decoder_) return fail("out of memory");
  if ((err = avcodec_parameters_to_context(r->decoder_.get(), stream->codecpar)) < 0) {
    return fail(av_error_text(err));
  }
  r->decoder_->pkt_timebase = stream->time_base;
  // auto: a 1080p file must decode in real time. A live input: one thread,
  // as frame threads would hold each picture back by a frame per thread.
  r->decoder_->thread_count = config.live ? 1 : 0;
  if (config.live) r->decoder_->flags |= AV_CODEC_FLAG_LOW_DELAY;
  if ((err = avcodec_open2(r->decoder_.get(), codec, nullptr)) < 0) {
    return fail(std::string(codec->name) + " decoder: " + av_error_text(err));
  }
  r->frame_.reset(av_frame_alloc());
  r->packet_.reset(av_packet_alloc());
  if (!r->frame_ || !r->packet_) return fail("out of memory");
  return r;
}

MediaFileReader::~MediaFileReader() = default;

int MediaFileReader::interrupt_callback(void* self) {
  return static_cast<MediaFileReader*>(self)->interrupted_.load() ? 1 : 0;
}

const AVFrame* MediaFileReader::next() {
  for (;;) {
    if (interrupted_) return nullptr;
    const int err = avcodec_receive_frame(decoder_.get(), frame_.get());
    if (err == 0) {
      frame_this_pass_ = true;
      stamp_frame();
      return frame_.get();
    }
    if (err == AVERROR_EOF || (err == AVERROR(EAGAIN) && draining_)) {
      if (restart()) continue;
      return nullptr;
    }
    if (err != AVERROR(EAGAIN)) {
      error_ = "decoding: " + av_error_text(err);
      return nullptr;
    }
    if (!read_packet()) {
      avcodec_send_packet(decoder_.get(), nullptr);  // drain the frames still inside
      draining_ = true;
    }
  }
}

bool MediaFileReader::read_packet() {
  for (;;) {
    const int err = av_read_frame(format_.get(), packet_.get());
    if (err < 0) {
      if (err != AVERROR_EOF && !interrupted_) error_ = "reading: " + av_error_text(err);
      return false;
    }
    if (packet_->stream_index == stream_index_) {
      // A corrupt packet is skipped: decoders resynchronise on the next ones.
      avcodec_send_packet(decoder_.get(), packet_.get());
      av_packet_unref(packet_.get());
      return true;
    }
    av_packet_unref(packet_.get());
  }
}

bool MediaFileReader::restart() {
  // A pass that produced nothing would loop forever without producing anything.
  if (!config_.loop || !frame_this_pass_ || interrupted_) return false;
  const AVStream& st = stream();
  const int64_t start = st.start_time != AV_NOPTS_VALUE ? st.start_time : 0;
  const int err = av_seek_frame(format_.get(), stream_index_, start, AVSEEK_FLAG_BACKWARD);
  if (err < 0) {
    error_ = "cannot loop: " + av_error_text(err);
    return false;
  }
  avcodec_flush_buffers(decoder_.get());
  draining_ = false;
  frame_this_pass_ = false;
  error_.clear();
  // The next pass continues right after the last frame of this one.
  pass_offset_us_ = frame_time_us_ + frame_duration_us_;
  first_ts_ = AV_NOPTS_VALUE;
  return true;
}

int64_t MediaFileReader::nominal_frame_us() const {
  if (config_.type == AVMEDIA_TYPE_AUDIO) {
    return frame_->sample_rate > 0 ? int64_t(frame_->nb_samples) * 1'000'000 / frame_->sample_rate : 0;
  }
  const AVRational rate = stream().avg_frame_rate;
  return rate.num > 0 && rate.den > 0 ? av_rescale(1'000'000, rate.den, rate.num) : kDefaultFrameUs;
}

void MediaFileReader::stamp_frame() {
  const int64_t previous = frame_time_us_;
  const int64_t expected = previous < 0 ? pass_offset_us_ : previous + frame_duration_us_;
  const int64_t ts = frame_->best_effort_timestamp;
  int64_t t = expected;
  if (ts != AV_NOPTS_VALUE) {
    if (first_ts_ == AV_NOPTS_VALUE) first_ts_ = ts;
    t = pass_offset_us_ + av_rescale_q(ts - first_ts_, stream().time_base, AV_TIME_BASE_Q);
    if (t < previous || t > expected + kMaxGapUs) {
      pass_offset_us_ += expected - t;  // rebase: continue smoothly from here
      t = expected;
    }
  }
  frame_time_us_ = t;
  const int64_t d = frame_->pkt_duration > 0
                        ? av_rescale_q(frame_->pkt_duration, stream().time_base, AV_TIME_BASE_Q)
                        : nominal_frame_us();
  frame_duration_us_ = d > 0 ? d : kDefaultFrameUs;
}

std::string MediaFileReader::describe() const {
  std::string out = config_.path + " (" + format_->iformat->name + ", " + decoder_->codec->name;
  if (config_.type == AVMEDIA_TYPE_VIDEO) {
    out += " " + std::to_string(decoder_->width) + "x" + std::to_string(decoder_->height);
  } else {
    out += " " + std::to_string(decoder_->sample_rate) + " Hz";
  }
  return out + (config_.loop ? ", looping)" : ")");
}

}  // namespace peercall
