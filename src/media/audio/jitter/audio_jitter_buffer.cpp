#include "media/audio/jitter/audio_jitter_buffer.hpp"

#include <algorithm>

#include "media/frames.hpp"

namespace peercall {
namespace {

constexpr size_t kConsumedHistory = 128;  // sequence numbers remembered for duplicates
// This far above target, accelerate at every pull instead of now and then
// (a burst or a restart left a lot of old audio behind).
constexpr double kFarAboveTargetMs = 100.0;
// This far above target (the playout clock stalled, or a restart met a
// full buffer), skip straight to the target instead: seconds of 2x speed
// would be worse than one jump.
constexpr double kFlushAboveTargetMs = 300.0;

int64_t samples_in(Duration d) { return to_micros(d) * kAudioSampleRate / 1'000'000; }

}  // namespace

const char* to_string(FrameKind kind) {
  switch (kind) {
    case FrameKind::kSilence: return "silence";
    case FrameKind::kNormal: return "normal";
    case FrameKind::kFecRecovered: return "fec";
    case FrameKind::kConcealed: return "concealed";
    case FrameKind::kExpanded: return "expanded";
    case FrameKind::kAccelerated: return "accelerated";
  }
  return "?";
}

AudioJitterBuffer::AudioJitterBuffer(AudioJitterBufferConfig config)
    : config_(config), delay_(config.delay) {
  config_.frame_samples = std::max(1, config_.frame_samples);
}

double AudioJitterBuffer::frame_ms() const {
  return double(config_.frame_samples) * 1000.0 / kAudioSampleRate;
}

int AudioJitterBuffer::jitter_target_ms() const {
  int target = delay_.target_ms();
  if (config_.fec_headroom && !given_up_.empty()) target += int(frame_ms());
  return target;
}

int AudioJitterBuffer::target_delay_ms() const {
  return std::max(jitter_target_ms(), minimum_delay_ms_);
}

void AudioJitterBuffer::set_minimum_delay(Duration minimum) {
  const int ms = int(std::max<int64_t>(0, to_micros(minimum) / 1000));
  minimum_delay_ms_ = std::min(ms, int(to_micros(config_.max_buffered) / 1000));
  stats_.minimum_delay_ms = minimum_delay_ms_;
}

bool AudioJitterBuffer::stretch_to_minimum(double offset, Instant now, bool quiet) {
  // Below the minimum by half a frame or more: a 20 ms wait brings the
  // offset nearer to it. Paced like accelerating, one frame at a time.
  if (minimum_delay_ms_ == 0 || offset + frame_ms() / 2 > minimum_delay_ms_) {
    below_minimum_since_.reset();
    return false;
  }
  if (!below_minimum_since_) below_minimum_since_ = now;
  const Duration held = now - *below_minimum_since_;
  if (held < config_.stretch_after || (!quiet && held < config_.stretch_forced_after)) return false;
  below_minimum_since_ = now;
  above_target_since_.reset();
  ++stats_.expanded;
  ++stats_.stretched;
  return true;
}

void AudioJitterBuffer::give_up_slot(Instant now) {
  given_up_.emplace_back(next_timestamp_, now);
  next_timestamp_ += config_.frame_samples;
}

void AudioJitterBuffer::restart() {
  packets_.clear();
  started_ = false;
  sequences_.reset();
  timestamps_.reset();
  delay_.reset();
  last_sequence_.reset();
  consumed_.clear();
  concealed_since_played_ = 0;
  above_target_since_.reset();
  below_minimum_since_.reset();
  given_up_.clear();
  late_run_since_.reset();
  ++stats_.resets;
}

bool AudioJitterBuffer::was_consumed(int64_t sequence) const {
  return std::find(consumed_.begin(), consumed_.end(), sequence) != consumed_.end();
}

InsertResult AudioJitterBuffer::insert(uint16_t sequence, uint32_t rtp_timestamp, Bytes payload,
                                       Instant arrival, Instant capture_time) {
  if (payload.empty()) {
    ++stats_.invalid_dropped;
    return InsertResult::kInvalid;
  }
  if (last_arrival_ && arrival - *last_arrival_ >= config_.silence_reset) restart();
  last_arrival_ = arrival;
  int64_t timestamp = timestamps_.unwrap(rtp_timestamp);
  int64_t seq = sequences_.unwrap(sequence);
  if (started_ && timestamp - next_timestamp_ > samples_in(config_.max_jump)) {
    restart();  // far ahead of playout: the sender's timeline restarted
    timestamp = timestamps_.unwrap(rtp_timestamp);
    seq = sequences_.unwrap(sequence);
  }
  if (packets_.count(timestamp) || was_consumed(seq)) {
    ++stats_.duplicates_dropped;
    return InsertResult::kDuplicate;
  }
  if (!started_ || timestamp >= next_timestamp_) {
    delay_.on_packet(timestamp, arrival);
  } else {
    // Late packets count too: the target was short (see DelayEstimator).
    delay_.on_packet(timestamp, arrival, delay_.offset_ms(next_timestamp_, arrival));
    // The sequence continues from the last packet played, the timestamp
    // jumped: a DTX pause, which our silence ran past. Nothing was lost, so
    // play it now rather than drop it.
    const bool resumes_pause = last_sequence_ && seq == *last_sequence_ + 1 &&
                               timestamp > last_timestamp_ + config_.frame_samples;
    if (!resumes_pause) {
      if (late_run_since_ && arrival - *late_run_since_ >= config_.late_run_reset) {
        // Nothing but late packets for a while: not jitter, a new timeline.
        restart();
        timestamp = timestamps_.unwrap(rtp_timestamp);
        seq = sequences_.unwrap(sequence);
        delay_.on_packet(timestamp, arrival);
        return store(timestamp, seq, std::move(payload), arrival, capture_time);
      }
      if (!late_run_since_) late_run_since_ = arrival;
      ++stats_.late_dropped;
      std::erase_if(given_up_, [&](const auto& slot) { return slot.first == timestamp; });
      return InsertResult::kLate;
    }
    next_timestamp_ = timestamp;
  }
  late_run_since_.reset();
  return store(timestamp, seq, std::move(payload), arrival, capture_time);
}

InsertResult AudioJitterBuffer::store(int64_t timestamp, int64_t sequence, Bytes payload,
                                      Instant arrival, Instant capture_time) {
  const int64_t frame = config_.frame_samples;
  if (last_sequence_ && sequence == *last_sequence_ + 1 && timestamp > last_timestamp_ + frame) {
    // A DTX pause: the slots concealed since the last packet were silence.
    const uint64_t pause = uint64_t((timestamp - last_timestamp_ - frame) / frame);
    const uint64_t moved = std::min(pause, concealed_since_played_);
    stats_.concealed -= moved;
    stats_.silence += moved;
    concealed_since_played_ -= moved;
    const int64_t played = last_timestamp_;
    std::erase_if(given_up_, [&](const auto& slot) {
      return slot.first > played && slot.first < timestamp;  // not losses after all
    });
  }
  packets_.emplace(timestamp, Packet{sequence, std::move(payload), arrival, capture_time});
  ++stats_.packets_inserted;
  drop_overflow();
  return InsertResult::kAccepted;
}

void AudioJitterBuffer::drop_overflow() {
  const int64_t limit = samples_in(config_.max_buffered);
  while (packets_.size() > 1) {
    const int64_t start = started_ ? next_timestamp_ : packets_.begin()->first;
    if (packets_.rbegin()->first + config_.frame_samples - start <= limit) return;
    auto oldest = packets_.begin();
    if (started_) next_timestamp_ = std::max(next_timestamp_, oldest->first + config_.frame_samples);
    note_consumed(oldest->second.sequence, oldest->first);
    packets_.erase(oldest);
    ++stats_.overflow_dropped;
  }
}

void AudioJitterBuffer::note_consumed(int64_t sequence, int64_t timestamp) {
  last_sequence_ = sequence;
  last_timestamp_ = timestamp;
  consumed_.push_back(sequence);
  if (consumed_.size() > kConsumedHistory) consumed_.pop_front();
}

PlayoutDecision AudioJitterBuffer::take(Store::iterator it, FrameKind kind) {
  PlayoutDecision d;
  d.kind = kind;
  d.payload = std::move(it->second.payload);
  d.rtp_timestamp = uint32_t(it->first);
  d.capture_time = it->second.capture_time;
  note_consumed(it->second.sequence, it->first);
  next_timestamp_ = it->first + config_.frame_samples;
  packets_.erase(it);
  concealed_since_played_ = 0;
  return d;
}

void AudioJitterBuffer::update_levels(double offset_ms) {
  stats_.buffer_delay_ms = int(std::max(0.0, offset_ms) + 0.5);
  stats_.target_delay_ms = target_delay_ms();
  stats_.jitter_target_ms = jitter_target_ms();
  stats_.buffered_ms = 0;
  if (!packets_.empty()) {
    const int64_t start = started_ ? next_timestamp_ : packets_.begin()->first;
    const int64_t span = packets_.rbegin()->first + config_.frame_samples - start;
    stats_.buffered_ms = int(std::max<int64_t>(0, span) * 1000 / kAudioSampleRate);
  }
}

PlayoutDecision AudioJitterBuffer::next(Instant now, bool quiet) {
  ++stats_.frames;
  if (!started_) {
    if (packets_.empty()) {
      ++stats_.silence;
      update_levels(0.0);
      return {};
    }
    // The first packet plays at once: no delay is added before the link
    // has shown that it needs some.
    started_ = true;
    next_timestamp_ = packets_.begin()->first;
  }
  const int64_t frame = config_.frame_samples;
  while (!given_up_.empty() && now - given_up_.front().second >= config_.fec_hold)
    given_up_.pop_front();
  const double target = target_delay_ms();
  double offset = delay_.offset_ms(next_timestamp_, now);
  if (offset > target + kFlushAboveTargetMs) {
    const int64_t behind = int64_t((offset - target) * kAudioSampleRate / 1000.0);
    next_timestamp_ += behind / frame * frame;
    while (!packets_.empty() && packets_.begin()->first < next_timestamp_) {
      packets_.erase(packets_.begin());
      ++stats_.overflow_dropped;
    }
    offset = delay_.offset_ms(next_timestamp_, now);
  }
  PlayoutDecision decision;
  auto it = packets_.lower_bound(next_timestamp_);
  if (it != packets_.end() && it->first < next_timestamp_ + frame) {
    // The expected packet is here.
    if (stretch_to_minimum(offset, now, quiet)) {
      decision.kind = FrameKind::kExpanded;  // the packet waits for the next pull
      decision.rtp_timestamp = uint32_t(next_timestamp_);
      update_levels(offset);
      return decision;
    }
    const bool above = offset - frame_ms() >= target;
    if (!above) above_target_since_.reset();
    else if (!above_target_since_) above_target_since_ = now;
    auto after = std::next(it);
    bool accelerate = false;
    if (above && after != packets_.end() && after->first == it->first + frame) {
      const Duration held = now - *above_target_since_;
      accelerate = offset - frame_ms() >= target + kFarAboveTargetMs ||
                   (held >= config_.accelerate_after &&
                    (quiet || held >= config_.accelerate_forced_after));
    }
    if (accelerate) {
      decision = take(it, FrameKind::kAccelerated);
      decision.second = std::move(after->second.payload);
      note_consumed(after->second.sequence, after->first);
      next_timestamp_ = after->first + frame;
      packets_.erase(after);
      above_target_since_ = now;  // one frame at a time, then look again
      ++stats_.accelerated;
    } else {
      decision = take(it, FrameKind::kNormal);
      ++stats_.normal;
    }
    update_levels(offset);
    return decision;
  }
  above_target_since_.reset();
  decision.rtp_timestamp = uint32_t(next_timestamp_);
  const bool empty = it == packets_.end();
  if (!empty && last_sequence_ && it->second.sequence == *last_sequence_ + 1) {
    // The next packet continues the sequence: these slots are a DTX pause.
    // Silence is the one place where skipping a slot costs nothing, so an
    // excess of delay goes here first.
    decision.kind = FrameKind::kSilence;
    ++stats_.silence;
    const bool skip = offset - frame_ms() >= target && it->first >= next_timestamp_ + 2 * frame;
    next_timestamp_ += skip ? 2 * frame : frame;
  } else if (offset < target + (empty ? config_.empty_wait_margin_ms : 0)) {
    // Below target, the missing packet may just be late: wait for it.
    decision.kind = FrameKind::kExpanded;
    ++stats_.expanded;
  } else if (!empty && it->first == next_timestamp_ + frame) {
    decision.kind = FrameKind::kFecRecovered;
    decision.payload = it->second.payload;  // a copy: it is decoded again next time
    ++stats_.fec_recovered;
    give_up_slot(now);
  } else {
    decision.kind = FrameKind::kConcealed;
    ++stats_.concealed;
    ++concealed_since_played_;
    give_up_slot(now);
  }
  update_levels(offset);
  return decision;
}

}  // namespace peercall
