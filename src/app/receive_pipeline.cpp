#include "app/receive_pipeline.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "media/codec/h264_decoder.hpp"
#include "media/audio/jitter/audio_playout.hpp"
#include "media/synthetic/frame_stamp.hpp"

namespace peercall {

ReceivePipeline::ReceivePipeline(Outputs outputs) : outputs_(std::move(outputs)) {}

ReceivePipeline::~ReceivePipeline() { stop(); }

Result<bool> ReceivePipeline::start() {
  auto video = H264Decoder::create();
  if (!video) return Error{video.error()};
  auto playout = AudioPlayout::create();
  if (!playout) return Error{playout.error()};
  playout_ = std::move(*playout);
  video_thread_ = std::thread([this, dec = std::move(*video)]() mutable { decode_video(*dec); });
  render_thread_ = std::thread([this] { render(); });
  audio_thread_ = std::thread([this] { play_audio(); });
  if (outputs_.recorder) record_thread_ = std::thread([this] { record(); });
  return true;
}

void ReceivePipeline::stop() {
  video_queue_.close();
  {
    std::lock_guard lock(audio_mu_);
    stopping_ = true;
  }
  audio_cv_.notify_all();
  record_queue_.close();
  if (video_thread_.joinable()) video_thread_.join();  // no more pictures to hold
  {
    std::lock_guard lock(render_mu_);
    render_stopping_ = true;
  }
  render_cv_.notify_all();
  for (auto* t : {&render_thread_, &audio_thread_, &record_thread_})
    if (t->joinable()) t->join();
}

void ReceivePipeline::on_video(EncodedFrame frame) {
  if (outputs_.recorder) record_queue_.push(RecordItem{true, frame});
  video_queue_.push(std::move(frame));
}

void ReceivePipeline::on_audio(EncodedFrame frame, uint16_t sequence) {
  if (!playout_) return;
  if (outputs_.recorder && (!recorded_audio_ || int32_t(frame.rtp_timestamp - last_recorded_audio_ts_) > 0)) {
    recorded_audio_ = true;  // a late packet is played if it can be, but a file needs order
    last_recorded_audio_ts_ = frame.rtp_timestamp;
    record_queue_.push(RecordItem{false, frame});
  }
  if (frame.sender_time_us != 0) {
    audio_ref_rtp_ = frame.rtp_timestamp;  // the sender-clock time of an RTP timestamp
    audio_ref_sender_us_ = frame.sender_time_us;
  }
  playout_->insert(sequence, frame.rtp_timestamp, std::move(frame.data), Clock::now(), frame.capture_time);
  if (!audio_started_.exchange(true)) {
    { std::lock_guard lock(audio_mu_); }
    audio_cv_.notify_all();
  }
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
    const Instant now = Clock::now();
    if (frames_decoded_++ == 0) first_frame_us_ = to_micros(now);
    Duration hold{};
    {
      std::lock_guard lock(sync_mu_);
      // Decoded minus captured (sender clock), before any hold: AvSync adds its own.
      if (frame->sender_time_us != 0) sync_.on_video_delay(to_micros(now) - frame->sender_time_us, now);
      hold = sync_.extra_video_delay();
    }
    show_or_hold(**decoded, now, hold);
  }
}

void ReceivePipeline::show_or_hold(const VideoFrame& picture, Instant decoded_at, Duration hold) {
  {
    std::unique_lock lock(render_mu_);
    if (hold <= Duration{} && held_.empty() && !render_busy_) {
      lock.unlock();
      present(picture);  // the common case: no hold, no thread hop
      return;
    }
    // Behind pictures still held, even with no hold now: they are shown in order.
    if (held_.size() >= kMaxHeldPictures) held_.pop_front();
    held_.push_back(HeldPicture{picture, decoded_at + hold});
  }
  render_cv_.notify_one();
}

void ReceivePipeline::render() {
  std::unique_lock lock(render_mu_);
  while (true) {
    render_cv_.wait(lock, [&] { return render_stopping_ || !held_.empty(); });
    if (render_stopping_) return;
    const Instant due = held_.front().due;
    if (Clock::now() < due) {
      render_cv_.wait_until(lock, due, [&] { return render_stopping_; });
      continue;
    }
    const HeldPicture item = std::move(held_.front());
    held_.pop_front();
    render_busy_ = true;
    lock.unlock();
    present(item.picture);
    lock.lock();
    render_busy_ = false;
  }
}

// Where a picture is really shown: freezes and the stamp latency count here.
void ReceivePipeline::present(const VideoFrame& picture) {
  const int64_t now_us = to_micros(Clock::now());
  // A freeze: a picture held over 200 ms (as WebRTC's stats count them).
  if (last_frame_us_ != 0 && now_us - last_frame_us_ > 200'000) {
    ++freezes_;
    longest_freeze_us_ = std::max<int64_t>(longest_freeze_us_, now_us - last_frame_us_);
  }
  last_frame_us_ = now_us;
  if (auto stamp = read_stamp(picture.y(), picture.width, picture.width, picture.height, now_us))
    latency_.add((now_us - stamp->capture_time_us) / 1000.0);
  for (VideoSink* sink : outputs_.video) sink->on_video(picture);
}

// The playout clock: a frame every 20 ms from the first packet on, pulled
// from the jitter buffer (decoded, FEC-repaired, concealed or stretched).
// A sink with a device clock of its own (the speaker) absorbs the small
// difference between the two clocks in its queue.
void ReceivePipeline::play_audio() {
  {
    std::unique_lock lock(audio_mu_);
    audio_cv_.wait(lock, [&] { return stopping_ || audio_started_; });
    if (stopping_) return;
  }
  Instant tick = Clock::now();
  while (true) {
    PlayoutInfo info;
    AudioFrame frame = playout_->next_frame(tick, &info);
    if (info.kind == FrameKind::kConcealed || info.kind == FrameKind::kExpanded) ++audio_concealed_;
    else if (info.kind != FrameKind::kSilence) ++audio_decoded_;
    // What the sinks still hold ahead of this frame (the speaker's queue and
    // device, and a delay the user told us of) is heard later than `tick`.
    Duration output_delay{};
    for (AudioSink* sink : outputs_.audio) {
      output_delay = std::max(output_delay, sink->output_delay());
      sink->on_audio(frame);
    }
    // Lip sync: when this frame was captured (sender's clock, from its
    // reports), so how long after that it is heard; AvSync compares it with
    // the pictures' and says how deep the jitter buffer must be.
    if (const int64_t ref = audio_ref_sender_us_; ref != 0 &&
        (info.kind == FrameKind::kNormal || info.kind == FrameKind::kFecRecovered)) {
      const int64_t sender_us = ref + int64_t(int32_t(info.rtp_timestamp - audio_ref_rtp_)) * 1'000'000 / 48'000;
      const AudioJitterStats jitter = playout_->stats().jitter;
      Duration minimum{};
      {
        std::lock_guard lock(sync_mu_);
        sync_.on_audio_delay(to_micros(tick + output_delay) - sender_us, tick,
                             milliseconds(jitter.buffer_delay_ms), milliseconds(jitter.jitter_target_ms));
        minimum = sync_.audio_min_delay();
      }
      playout_->set_minimum_delay(minimum);
    }
    tick += milliseconds(20);
    const Instant now = Clock::now();
    if (now - tick > milliseconds(200)) tick = now;  // a stalled machine: no catch-up burst
    std::unique_lock lock(audio_mu_);
    if (audio_cv_.wait_until(lock, tick, [&] { return stopping_.load(); })) return;
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
  if (playout_) {
    const AudioPlayoutStats p = playout_->stats();
    s.audio_fec_recovered = p.jitter.fec_recovered;
    s.audio_late = p.jitter.late_dropped;
    s.audio_buffer_ms = p.jitter.buffer_delay_ms;
    s.audio_target_ms = p.jitter.target_delay_ms;
    s.audio_concealed_fraction = p.jitter.concealed_fraction();
  }
  s.first_frame_at = instant_from_micros(first_frame_us_);
  s.freezes = freezes_;
  {
    std::lock_guard lock(sync_mu_);
    s.av_offset_ms = sync_.offset_ms();
    s.av_sync_video_hold_ms = int(to_micros(sync_.extra_video_delay()) / 1000);
    s.av_sync_audio_min_ms = int(to_micros(sync_.audio_min_delay()) / 1000);
  }
  s.longest_freeze_ms = longest_freeze_us_ / 1000;
  return s;
}

}  // namespace peercall
