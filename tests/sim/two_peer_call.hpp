#pragma once
// Two PeerSessions in a call over a SimulatedNetwork on a virtual clock:
// both send 30 fps fake H.264 (a keyframe first and whenever the other side
// asks) and 50 pps audio. Records every delivered frame with its delivery
// instant, so tests can measure delivery, order, freezes and latency. With
// `follow_target` a sender sizes its frames like an encoder would after
// set_bitrate(TargetBitrate::video_bps): video_bps / 30 per frame (keyframes
// three times that), times `encoder_fraction` (an encoder that undershoots).
#include <algorithm>
#include <array>
#include <functional>
#include <memory>
#include <vector>

#include "session/peer_session.hpp"
#include "fake_media.hpp"
#include "simulated_network.hpp"

namespace peercall::sim {

struct DeliveredFrame {
  EncodedFrame frame;
  Instant at;
};

struct CallPeer {
  std::unique_ptr<PeerSession> session;
  std::vector<DeliveredFrame> video;
  std::vector<DeliveredFrame> audio;
  int keyframe_requests = 0;  // KeyframeRequested events: the other side asked us
  bool force_keyframe = true;
  std::vector<std::pair<Instant, TargetBitrate>> targets;  // TargetBitrate events
  int video_bps = 0;  // the last TargetBitrate's, 0 before the first
  // TargetBitrate::pause_video, as the app follows it: no frame until then
  // (or until resume_video), a keyframe after; how many pauses were asked for.
  Instant paused_until{};
  int video_pauses = 0;
};

struct TwoPeerCallOptions {
  size_t keyframe_bytes = 6000;
  size_t delta_bytes = 1500;
  uint32_t keyframe_every = 0;  // 0: only the first and requested ones
  bool follow_target = false;
  size_t audio_bytes = 5;  // per 20 ms packet (80: Opus at 32 kbit/s)
  // With follow_target: the share of video_bps the encoder really produces.
  // Real encoders on easy content undershoot their target (x264 on the test
  // pattern sends ~65 %): the call is application-limited.
  double encoder_fraction = 1.0;
  int encoder_max_bps = 0;  // the app's video bitrate cap (--bitrate), 0: none
  // Sees every datagram a side sends, before the link (and its loss).
  std::function<void(int from, const Bytes& datagram)> on_wire;
};

class TwoPeerCall {
 public:
  static constexpr int64_t kFrameMicros = 33333;

  TwoPeerCall(const std::array<SessionConfig, 2>& configs, LinkModel model, uint64_t seed,
              TwoPeerCallOptions options = {})
      : model_(model), net_(seed), options_(options) {
    for (int i = 0; i < 2; ++i) peers_[i].session = std::make_unique<PeerSession>(configs[i], now_);
    start_ = now_;
    net_.set_epoch(now_);
  }

  // Sends until `send_until`, runs the clock until `run_until` (both from now).
  void run(Duration send_until, Duration run_until) {
    const Instant begin = now_;
    Instant next_video = begin, next_audio = begin;
    while (true) {
      Instant next = begin + run_until;
      for (auto& p : peers_) next = std::min(next, p.session->next_timeout());
      if (net_.has_pending()) next = std::min(next, net_.next_delivery());
      const bool can_send = now_ < begin + send_until;
      if (can_send) next = std::min({next, next_video, next_audio});
      if (next >= begin + run_until) {
        now_ = begin + run_until;
        break;
      }
      spins_ = next <= now_ ? spins_ + 1 : 0;
      if (spins_ > 10000) {
        stuck_ = true;
        break;
      }
      now_ = std::max(now_, next);
      if (can_send && now_ >= next_video) {
        send_video_frame();
        next_video += microseconds(kFrameMicros);
      }
      if (can_send && now_ >= next_audio) {
        for (auto& p : peers_) {
          EncodedFrame a;
          a.data = {0x78, uint8_t(audio_sent_), uint8_t(audio_sent_ >> 8), 3, 4};
          a.data.resize(std::max<size_t>(a.data.size(), options_.audio_bytes), 0x55);
          a.rtp_timestamp = audio_sent_ * 960;
          a.capture_time = now_;
          p.session->send_audio(a, now_);
        }
        ++audio_sent_;
        next_audio += milliseconds(20);
      }
      while (net_.has_pending() && net_.next_delivery() <= now_) {
        auto d = net_.pop();
        peers_[d.to].session->handle_datagram(d.datagram, now_);
      }
      for (auto& p : peers_) p.session->handle_timeout(now_);
      drain();
    }
    drain();
  }

  CallPeer& peer(int i) { return peers_[i]; }
  const CallPeer& peer(int i) const { return peers_[i]; }
  // A session kept asking for a timeout in the past without moving on.
  bool stuck() const { return stuck_; }
  uint32_t frames_sent() const { return frames_sent_; }
  Instant sent_at(uint32_t frame) const { return start_ + microseconds(frame * kFrameMicros); }
  Instant start() const { return start_; }
  // The frame sent at or just after `since_start`.
  uint32_t frame_at(Duration since_start) const {
    return uint32_t((to_micros(since_start) + kFrameMicros - 1) / kFrameMicros);
  }
  SimulatedNetwork& network() { return net_; }
  const SimulatedNetwork& network() const { return net_; }
  bool sent_as_keyframe(int side, uint32_t frame) const {
    return std::ranges::find(keyframes_[side], frame) != keyframes_[side].end();
  }
  Bytes expected_frame(int side, uint32_t frame) const {
    const bool key = sent_as_keyframe(side, frame);
    return fake_access_unit(frame, key, frame < sizes_[side].size() ? sizes_[side][frame] : 0);
  }

 private:
  void send_video_frame() {
    for (int i = 0; i < 2; ++i) {
      CallPeer& p = peers_[i];
      if (now_ < p.paused_until) {
        p.force_keyframe = true;
        sizes_[i].push_back(0);  // frame numbers stay aligned: this one was never sent
        continue;
      }
      EncodedFrame f;
      const uint32_t n = frames_sent_;
      f.keyframe = p.force_keyframe || (options_.keyframe_every && n % options_.keyframe_every == 0);
      p.force_keyframe = false;
      if (f.keyframe) keyframes_[i].push_back(n);
      size_t body = f.keyframe ? options_.keyframe_bytes : options_.delta_bytes;
      if (options_.follow_target && p.video_bps > 0) {
        const int asked = options_.encoder_max_bps > 0 ? std::min(p.video_bps, options_.encoder_max_bps)
                                                       : p.video_bps;
        body = size_t(options_.encoder_fraction * asked / 8 / 30);
        if (f.keyframe) body *= 3;
      }
      sizes_[i].push_back(body);
      f.data = fake_access_unit(n, f.keyframe, body);
      f.rtp_timestamp = n * 3000;
      f.capture_time = now_;
      p.session->send_video(f, now_);
    }
    ++frames_sent_;
  }

  void drain() {
    for (int i = 0; i < 2; ++i) {
      CallPeer& p = peers_[i];
      while (auto out = p.session->poll_output()) {
        if (auto* t = std::get_if<Transmit>(&*out)) {
          if (options_.on_wire) options_.on_wire(i, t->datagram);
          net_.send(i, std::move(t->datagram), now_, model_);
          continue;
        }
        auto& ev = std::get<SessionEvent>(*out);
        if (auto* v = std::get_if<VideoReceived>(&ev)) p.video.push_back({v->frame, now_});
        if (auto* a = std::get_if<AudioReceived>(&ev)) p.audio.push_back({a->frame, now_});
        if (auto* t = std::get_if<TargetBitrate>(&ev)) {
          p.targets.emplace_back(now_, *t);
          p.video_bps = t->video_bps;
          if (t->pause_video > Duration{}) {
            p.paused_until = now_ + t->pause_video;
            ++p.video_pauses;
          }
          if (t->resume_video) p.paused_until = std::min(p.paused_until, now_);
        }
        if (std::holds_alternative<KeyframeRequested>(ev)) {
          ++p.keyframe_requests;
          p.force_keyframe = true;
        }
      }
    }
  }

  LinkModel model_;
  SimulatedNetwork net_;
  TwoPeerCallOptions options_;
  Instant now_ = instant_from_micros(1'000'000'000);
  Instant start_;
  std::array<CallPeer, 2> peers_;
  std::array<std::vector<uint32_t>, 2> keyframes_;
  std::array<std::vector<size_t>, 2> sizes_;  // body size of each frame sent
  uint32_t frames_sent_ = 0;
  uint32_t audio_sent_ = 0;
  int spins_ = 0;
  bool stuck_ = false;
};

// What a receiver saw of the other side's video.
struct VideoQuality {
  size_t delivered = 0;
  bool intact_and_in_order = true;
  Duration longest_capture_gap{};   // between consecutive delivered frames' capture times
  Duration longest_delivery_gap{};  // between consecutive deliveries (what a viewer sees freeze)
  Duration latency_p95{}, latency_max{};
};

// `side` receives; the other side sent.
inline VideoQuality measure(const TwoPeerCall& call, int side) {
  VideoQuality q;
  const auto& video = call.peer(side).video;
  q.delivered = video.size();
  std::vector<Duration> latencies;
  for (size_t i = 0; i < video.size(); ++i) {
    const uint32_t n = frame_number(video[i].frame);
    if (video[i].frame.data != call.expected_frame(1 - side, n)) q.intact_and_in_order = false;
    latencies.push_back(video[i].at - call.sent_at(n));
    if (i == 0) continue;
    const uint32_t prev = frame_number(video[i - 1].frame);
    if (n <= prev) q.intact_and_in_order = false;
    q.longest_capture_gap = std::max(q.longest_capture_gap, call.sent_at(n) - call.sent_at(prev));
    q.longest_delivery_gap = std::max(q.longest_delivery_gap, video[i].at - video[i - 1].at);
  }
  if (!latencies.empty()) {
    std::ranges::sort(latencies);
    q.latency_p95 = latencies[latencies.size() * 95 / 100];
    q.latency_max = latencies.back();
  }
  return q;
}

}  // namespace peercall::sim
