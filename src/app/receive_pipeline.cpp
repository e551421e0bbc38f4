#include "app/receive_pipeline.hpp"

#include <spdlog/spdlog.h>

#include "media/codec/h264_decoder.hpp"
#include "media/codec/opus_decoder.hpp"
#include "media/synthetic/frame_stamp.hpp"

namespace peercall {

ReceivePipeline::ReceivePipeline(Outputs outputs) : outputs_(std::move(outputs)) {}

ReceivePipeline::~ReceivePipeline() { stop(); }

Result<bool> ReceivePipeline::start() {
  auto video = H264Decoder::create();
  if (!video) return Error{video.error()};
  auto audio = OpusDecoder::create();
  if (!audio) return Error{audio.error()};
  video_thread_ = std::thread([this, dec = std::move(*video)]() mutable { decode_video(*dec); });
  audio_thread_ = std::thread([this, dec = std::move(*audio)]() mutable { decode_audio(*dec); });
  if (outputs_.recorder) record_thread_ = std::thread([this] { record(); });
  return true;
}

void ReceivePipeline::stop() {
  video_queue_.close();
  audio_queue_.close();
  record_queue_.close();
  for (auto* t : {&video_thread_, &audio_thread_, &record_thread_})
    if (t->joinable()) t->join();
}

void ReceivePipeline::on_video(EncodedFrame frame) {
  if (outputs_.recorder) record_queue_.push(RecordItem{true, frame});
  video_queue_.push(std::move(frame));
}

void ReceivePipeline::on_audio(EncodedFrame frame, uint32_t lost_before) {
  if (outputs_.recorder) record_queue_.push(RecordItem{false, frame});
  audio_queue_.push(AudioPacket{std::move(frame), lost_before});
}

void ReceivePipeline::decode_video(H264Decoder& decoder) {
  uint64_t dropped_seen = 0;
  bool need_keyframe = false;
  auto ask_for_keyframe = [&] {
    need_keyframe = true;
    if (outputs_.on_keyframe_needed) outputs_.on_keyframe_needed();
  };
  while (auto frame = video_queue_.pop()) {
    // A frame dropped from the queue breaks the reference chain.
    if (const uint64_t dropped = video_queue_.dropped(); dropped != dropped_seen) {
      dropped_seen = dropped;
      ask_for_keyframe();
    }
    if (need_keyframe && !frame->keyframe) continue;
    need_keyframe = false;
    auto decoded = decoder.decode(*frame);
    if (!decoded) {
      ++decode_errors_;
      ask_for_keyframe();
      continue;
    }
    if (!*decoded) continue;
    const VideoFrame& picture = **decoded;
    const int64_t now_us = to_micros(Clock::now());
    if (frames_decoded_++ == 0) first_frame_us_ = now_us;
    if (auto stamp = read_stamp(picture.y(), picture.width, picture.width, picture.height, now_us))
      latency_.add((now_us - stamp->capture_time_us) / 1000.0);
    for (VideoSink* sink : outputs_.video) sink->on_video(picture);
  }
}

void ReceivePipeline::decode_audio(OpusDecoder& decoder) {
  while (auto packet = audio_queue_.pop()) {
    for (uint32_t i = 0; i < packet->lost_before; ++i) {
      AudioFrame concealed = decoder.conceal();
      ++audio_concealed_;
      for (AudioSink* sink : outputs_.audio) sink->on_audio(concealed);
    }
    auto decoded = decoder.decode(packet->frame.data);
    if (!decoded) continue;
    ++audio_decoded_;
    decoded->capture_time = packet->frame.capture_time;
    for (AudioSink* sink : outputs_.audio) sink->on_audio(*decoded);
  }
}

void ReceivePipeline::record() {
  while (auto item = record_queue_.pop()) {
    if (item->video)
      outputs_.recorder->write_video(item->frame);
    else
      outputs_.recorder->write_audio(item->frame);
  }
}

ReceivePipelineStats ReceivePipeline::stats() const {
  ReceivePipelineStats s;
  s.frames_decoded = frames_decoded_;
  s.decode_errors = decode_errors_;
  s.frames_skipped = video_queue_.dropped();
  s.audio_frames_decoded = audio_decoded_;
  s.audio_frames_concealed = audio_concealed_;
  s.first_frame_at = instant_from_micros(first_frame_us_);
  return s;
}

}  // namespace peercall
