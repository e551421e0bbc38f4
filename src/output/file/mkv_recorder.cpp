#include "output/file/mkv_recorder.hpp"

#include <opus/opus.h>

#include <cstring>
#include <vector>


extern "C" {
#include <libavutil/channel_layout.h>
}

namespace peercall {
namespace {

constexpr int kMaxDimension = 16384;

// The NAL units of an Annex B access unit, without their start codes.
std::vector<ByteView> nal_units(ByteView data) {
  std::vector<ByteView> out;
  size_t start = SIZE_MAX;
  auto add = [&](size_t end) {
    while (end > start && data[end - 1] == 0) --end;  // the extra 0 of a 4-byte start code
    if (end > start) out.push_back(data.subspan(start, end - start));
  };
  for (size_t i = 0; i + 2 < data.size();) {
    if (data[i] == 0 && data[i + 1] == 0 && data[i + 2] == 1) {
      if (start != SIZE_MAX) add(i);
      i += 3;
      start = i;
    } else {
      ++i;
    }
  }
  if (start != SIZE_MAX) add(data.size());
  return out;
}

// SPS and PPS of a keyframe, in Annex B: libavformat turns that into the avcC
// CodecPrivate itself (and the frames into length-prefixed NAL units).
Bytes parameter_sets(ByteView access_unit) {
  Bytes out;
  bool sps = false;
  bool pps = false;
  for (ByteView nal : nal_units(access_unit)) {
    const int type = nal[0] & 0x1F;
    if (type != 7 && type != 8) continue;
    (type == 7 ? sps : pps) = true;
    out.insert(out.end(), {0, 0, 0, 1});
    out.insert(out.end(), nal.begin(), nal.end());
  }
  return sps && pps ? out : Bytes{};
}

// The picture size, from the SPS, by FFmpeg's own H.264 parser.
bool picture_size(ByteView access_unit, int& width, int& height) {
  ParserPtr parser(av_parser_init(AV_CODEC_ID_H264));
  CodecContextPtr codec(avcodec_alloc_context3(nullptr));
  if (!parser || !codec) return false;
  parser->flags |= PARSER_FLAG_COMPLETE_FRAMES;
  Bytes padded(access_unit.begin(), access_unit.end());  // parsers may read a little past the end
  padded.resize(access_unit.size() + AV_INPUT_BUFFER_PADDING_SIZE, 0);
  uint8_t* out = nullptr;
  int out_size = 0;
  av_parser_parse2(parser.get(), codec.get(), &out, &out_size, padded.data(), int(access_unit.size()),
                   AV_NOPTS_VALUE, AV_NOPTS_VALUE, 0);
  width = parser->width;
  height = parser->height;
  return width > 0 && height > 0 && width <= kMaxDimension && height <= kMaxDimension;
}

// The Ogg/Matroska identification header for mono Opus (RFC 7845 5.1).
Bytes opus_head() {
  const uint16_t pre_skip = MkvRecorder::kOpusPreSkip;
  const uint32_t rate = kAudioSampleRate;
  return {'O', 'p', 'u', 's', 'H', 'e', 'a', 'd',
          1,                                                   // version
          1,                                                   // channels
          uint8_t(pre_skip), uint8_t(pre_skip >> 8),           // little-endian
          uint8_t(rate), uint8_t(rate >> 8), uint8_t(rate >> 16), uint8_t(rate >> 24),
          0, 0,                                                // output gain
          0};                                                  // mapping family: mono/stereo
}

bool set_extradata(AVCodecParameters* par, const Bytes& data) {
  par->extradata = static_cast<uint8_t*>(av_mallocz(data.size() + AV_INPUT_BUFFER_PADDING_SIZE));
  if (!par->extradata) return false;
  std::memcpy(par->extradata, data.data(), data.size());
  par->extradata_size = int(data.size());
  return true;
}

int opus_samples(const EncodedFrame& packet) {
  if (packet.data.empty()) return -1;
  return opus_packet_get_nb_samples(packet.data.data(), opus_int32(packet.data.size()), kAudioSampleRate);
}

}  // namespace

Result<std::unique_ptr<MkvRecorder>> MkvRecorder::open(const std::string& path, bool has_video, bool has_audio) {
  if (!has_video && !has_audio) return Error{"recording: nothing to record"};
  std::unique_ptr<MkvRecorder> r(new MkvRecorder(path, has_video, has_audio));
  AVFormatContext* raw = nullptr;
  int err = avformat_alloc_output_context2(&raw, nullptr, "matroska", path.c_str());
  if (err < 0 || !raw) return Error("recording '" + path + "': matroska muxer: " + av_error_text(err));
  r->ctx_.reset(raw);
  if ((err = avio_open(&raw->pb, path.c_str(), AVIO_FLAG_WRITE)) < 0) {
    return Error("recording '" + path + "': " + av_error_text(err));
  }
  // Each closed cluster goes to the file at once instead of waiting in avio's buffer.
  raw->flush_packets = 1;
  r->packet_.reset(av_packet_alloc());
  if (!r->packet_) return Error{"recording: out of memory"};
  return r;
}

MkvRecorder::MkvRecorder(std::string path, bool has_video, bool has_audio)
    : path_(std::move(path)), has_video_(has_video), has_audio_(has_audio) {}

MkvRecorder::~MkvRecorder() { close(); }

void MkvRecorder::write_video(const EncodedFrame& frame) {
  if (!has_video_ || failed_ || closed_ || frame.data.empty()) {
    ++stats_.dropped;
    return;
  }
  if (!started_ && (!frame.keyframe || !start(&frame))) {
    ++stats_.dropped;
    return;
  }
  if (!video_) {  // started audio-only
    ++stats_.dropped;
    return;
  }
  if (write_packet(video_, frame, 0, video_clock_)) {
    ++stats_.video_frames;
  } else {
    ++stats_.dropped;
  }
}

void MkvRecorder::write_audio(const EncodedFrame& packet) {
  const int samples = opus_samples(packet);
  if (!has_audio_ || failed_ || closed_ || samples <= 0) {
    ++stats_.dropped;
    return;
  }
  if (!started_) {
    early_audio_.push_back(packet);
    if (early_audio_.size() > kMaxEarlyAudio) {
      early_audio_.pop_front();
      ++stats_.dropped;
    }
    if (!has_video_) start(nullptr);  // writes it
    return;
  }
  write_audio_packet(packet);
}

void MkvRecorder::write_audio_packet(const EncodedFrame& packet) {
  if (write_packet(audio_, packet, opus_samples(packet) * 1000 / kAudioSampleRate, audio_clock_)) {
    ++stats_.audio_packets;
  } else {
    ++stats_.dropped;
  }
}

bool MkvRecorder::start(const EncodedFrame* keyframe) {
  Bytes parameter_sets_annexb;
  int width = 0;
  int height = 0;
  if (keyframe) {
    parameter_sets_annexb = parameter_sets(keyframe->data);
    // Not usable yet: wait for the next keyframe.
    if (parameter_sets_annexb.empty() || !picture_size(keyframe->data, width, height)) return false;
  }
  // Tracks cannot be taken back: failing from here on ends the recording.
  if ((keyframe && !add_video_track(parameter_sets_annexb, width, height)) || (has_audio_ && !add_audio_track())) {
    fail("adding the tracks", AVERROR(ENOMEM));
    return false;
  }
  AVDictionary* options = nullptr;
  av_dict_set_int(&options, "cluster_time_limit", kClusterMs, 0);
  const int err = avformat_write_header(ctx_.get(), &options);
  av_dict_free(&options);
  if (err < 0) {
    fail("writing the header", err);
    return false;
  }
  started_ = true;
  // Time 0 is the earliest frame written: the keyframe or the held-back audio.
  origin_ = keyframe ? keyframe->capture_time : early_audio_.front().capture_time;
  if (!early_audio_.empty() && early_audio_.front().capture_time < origin_) {
    origin_ = early_audio_.front().capture_time;
  }
  for (const EncodedFrame& packet : early_audio_) write_audio_packet(packet);
  early_audio_.clear();
  return !failed_;
}

bool MkvRecorder::add_video_track(const Bytes& parameter_sets_annexb, int width, int height) {
  video_ = avformat_new_stream(ctx_.get(), nullptr);
  if (!video_ || !set_extradata(video_->codecpar, parameter_sets_annexb)) return false;
  video_->codecpar->codec_type = AVMEDIA_TYPE_VIDEO;
  video_->codecpar->codec_id = AV_CODEC_ID_H264;
  video_->codecpar->width = width;
  video_->codecpar->height = height;
  video_->time_base = {1, 1000};
  return true;
}

bool MkvRecorder::add_audio_track() {
  audio_ = avformat_new_stream(ctx_.get(), nullptr);
  if (!audio_ || !set_extradata(audio_->codecpar, opus_head())) return false;
  AVCodecParameters* par = audio_->codecpar;
  par->codec_type = AVMEDIA_TYPE_AUDIO;
  par->codec_id = AV_CODEC_ID_OPUS;
  par->sample_rate = kAudioSampleRate;
  par->ch_layout = AV_CHANNEL_LAYOUT_MONO;
  par->initial_padding = kOpusPreSkip;  // written as CodecDelay
  audio_->time_base = {1, 1000};
  return true;
}

bool MkvRecorder::write_packet(AVStream* stream, const EncodedFrame& frame, int64_t duration_ms,
                               TrackClock& clock) {
  if (failed_) return false;
  if (!clock.anchored) {
    clock.anchored = true;
    clock.anchor = frame.capture_time;
    clock.last_rtp = frame.rtp_timestamp;
  }
  clock.rtp_since_anchor += static_cast<int32_t>(frame.rtp_timestamp - clock.last_rtp);
  clock.last_rtp = frame.rtp_timestamp;
  const Instant at = clock.anchor + microseconds(clock.rtp_since_anchor * 1'000'000 / clock.rate);
  // Per track the timestamps must increase, whatever the sender's clock does.
  int64_t ms = std::chrono::duration_cast<milliseconds>(at - origin_).count();
  if (ms <= clock.last_ms) ms = clock.last_ms + 1;
  if (ms < 0) ms = 0;
  clock.last_ms = ms;

  AVPacket* pkt = packet_.get();
  int err = av_new_packet(pkt, int(frame.data.size()));
  if (err < 0) {
    fail("allocating a packet", err);
    return false;
  }
  std::memcpy(pkt->data, frame.data.data(), frame.data.size());
  pkt->pts = pkt->dts = ms;
  pkt->duration = duration_ms;
  pkt->stream_index = stream->index;
  if (frame.keyframe || stream == audio_) pkt->flags |= AV_PKT_FLAG_KEY;
  av_packet_rescale_ts(pkt, {1, 1000}, stream->time_base);
  err = av_write_frame(ctx_.get(), pkt);
  av_packet_unref(pkt);
  if (err >= 0 && ctx_->pb && ctx_->pb->error < 0) err = ctx_->pb->error;  // a failed flush
  if (err < 0) fail("writing", err);
  return err >= 0;
}

void MkvRecorder::fail(const std::string& what, int err) {
  if (failed_) return;
  failed_ = true;
  const bool reader_left = err == AVERROR(EPIPE);
  error_ = "recording '" + path_ + "': " + what + ": " + (reader_left ? "the reader closed it" : av_error_text(err));
  report_output_failure(on_failure_, {error_, reader_left});
}

void MkvRecorder::close() {
  if (closed_) return;
  // No keyframe ever came: keep at least the sound.
  if (!started_ && !failed_ && !early_audio_.empty()) start(nullptr);
  closed_ = true;
  if (started_ && !failed_) {
    const int err = av_write_trailer(ctx_.get());
    if (err < 0) fail("writing the trailer", err);
  }
  // avio buffers: a write error may only show when the buffer is flushed.
  if (ctx_ && ctx_->pb) {
    avio_flush(ctx_->pb);
    const int pending = ctx_->pb->error;
    const int closed = avio_closep(&ctx_->pb);
    if (!failed_ && (pending < 0 || closed < 0)) fail("writing", pending < 0 ? pending : closed);
  }
}

}  // namespace peercall
