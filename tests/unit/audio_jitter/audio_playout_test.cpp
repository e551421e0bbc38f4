// The playout with real Opus: packets from the project's encoder (in-band FEC
// on), losses rebuilt from FEC or concealed, measured against a lossless
// decode of the same packets.
#include "media/audio/jitter/audio_playout.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <thread>
#include <atomic>

#include "link_trace.hpp"
#include "media/codec/opus_decoder.hpp"
#include "media/codec/opus_encoder.hpp"

namespace peercall::test {
namespace {

constexpr double kPi = 3.14159265358979323846;

// Voiced, speech-like: a gliding pitch with harmonics, in syllables.
std::vector<AudioFrame> speech_like(int frames) {
  std::vector<AudioFrame> out(static_cast<size_t>(frames));
  double phase = 0.0;
  for (int f = 0; f < frames; ++f) {
    out[size_t(f)].samples.resize(kAudioFrameSamples);
    for (int i = 0; i < kAudioFrameSamples; ++i) {
      const double t = double(f * kAudioFrameSamples + i) / kAudioSampleRate;
      const double f0 = 140.0 + 40.0 * std::sin(2 * kPi * 0.7 * t);
      phase += 2 * kPi * f0 / kAudioSampleRate;
      double v = 0.0;
      for (int h = 1; h <= 10; ++h) v += std::sin(h * phase) / h;
      const double envelope = 0.15 + 0.85 * std::fabs(std::sin(2 * kPi * 2.0 * t));
      out[size_t(f)].samples[size_t(i)] = int16_t(5000.0 * envelope * v);
    }
  }
  return out;
}

struct Encoded {
  std::vector<Bytes> packets;
  std::vector<AudioFrame> reference;  // every packet decoded, none lost
};

const Encoded& encoded_speech() {
  static const Encoded e = [] {
    Encoded out;
    auto encoder = OpusEncoder::create();  // 32 kb/s, FEC on, expects 10% loss
    auto decoder = OpusDecoder::create();
    if (!encoder || !decoder) return out;
    for (const AudioFrame& frame : speech_like(1500)) {
      auto packet = (*encoder)->encode(frame);
      if (!packet) return out;
      out.packets.push_back(packet->data);
      auto decoded = (*decoder)->decode(packet->data);
      out.reference.push_back(decoded ? *decoded : AudioFrame{});
    }
    return out;
  }();
  return e;
}

double snr_db(const AudioFrame& reference, const AudioFrame& out) {
  double signal = 1e-9, noise = 1e-9;
  for (size_t i = 0; i < reference.samples.size() && i < out.samples.size(); ++i) {
    signal += double(reference.samples[i]) * reference.samples[i];
    const double e = double(out.samples[i]) - reference.samples[i];
    noise += e * e;
  }
  return 10.0 * std::log10(signal / noise);
}

struct PlayoutRun {
  AudioPlayoutStats stats;
  std::vector<AudioFrame> frames;
  std::vector<PlayoutInfo> info;
  int lost = 0;
  double mean_snr[6] = {};  // by FrameKind
  int kinds[6] = {};
};

PlayoutRun play_opus(const Link& link, int pulls, AudioJitterBufferConfig config = {},
                     Duration minimum_delay = {}) {
  const Encoded& e = encoded_speech();
  const auto trace = make_trace(link);
  auto playout = AudioPlayout::create(config);
  PlayoutRun run;
  if (!playout) return run;
  (*playout)->set_minimum_delay(minimum_delay);
  run.lost = link.frames - int(trace.size());
  const uint32_t first_ts = link.first_timestamp;
  run_trace(
      trace, trace.front().arrival + milliseconds(5), pulls,
      [&](const TracePacket& p) {
        (*playout)->insert(p.sequence, p.rtp_timestamp, e.packets[size_t(p.index)], p.arrival);
      },
      [&](Instant now) {
        PlayoutInfo info;
        run.frames.push_back((*playout)->next_frame(now, &info));
        run.info.push_back(info);
        const auto k = size_t(info.kind);
        const size_t index = (info.rtp_timestamp - first_ts) / 960u;
        if (info.kind != FrameKind::kSilence && index < e.reference.size()) {
          run.mean_snr[k] += snr_db(e.reference[index], run.frames.back());
          ++run.kinds[k];
        }
        return Pull{};
      });
  for (int k = 0; k < 6; ++k)
    if (run.kinds[k]) run.mean_snr[k] /= run.kinds[k];
  run.stats = (*playout)->stats();
  return run;
}

void print(const char* name, const PlayoutRun& r) {
  const AudioJitterStats& s = r.stats.jitter;
  std::printf(
      "[%s] lost %d | normal %llu (%.1f dB) fec %llu (%.1f dB) concealed %llu (%.1f dB) "
      "expanded %llu (%.1f dB) accelerated %llu | late %llu decode errors %llu | "
      "concealed %.2f%% delay %d ms target %d ms\n",
      name, r.lost, (unsigned long long)s.normal, r.mean_snr[int(FrameKind::kNormal)],
      (unsigned long long)s.fec_recovered, r.mean_snr[int(FrameKind::kFecRecovered)],
      (unsigned long long)s.concealed, r.mean_snr[int(FrameKind::kConcealed)],
      (unsigned long long)s.expanded, r.mean_snr[int(FrameKind::kExpanded)],
      (unsigned long long)s.accelerated, (unsigned long long)s.late_dropped,
      (unsigned long long)r.stats.decode_errors, 100.0 * s.concealed_fraction(),
      s.buffer_delay_ms, s.target_delay_ms);
}

Link lossy_link(double loss, int frames = 1500) {
  Link link;
  link.frames = frames;
  link.lost = [loss](int, std::mt19937& rng) {
    return std::bernoulli_distribution(loss)(rng);
  };
  return link;
}

TEST(AudioPlayout, EncoderSendsInBandFec) {
  ASSERT_FALSE(encoded_speech().packets.empty());
  // A lost frame rebuilt from the next packet's FEC is far closer to the
  // original than concealment guessing it.
  const Encoded& e = encoded_speech();
  auto fec = OpusDecoder::create();
  auto plc = OpusDecoder::create();
  ASSERT_TRUE(fec && plc);
  double fec_snr = 0, plc_snr = 0;
  int n = 0;
  for (size_t i = 0; i + 1 < 1500; ++i) {
    if (i % 10 == 5) {
      fec_snr += snr_db(e.reference[i], *(*fec)->recover(e.packets[i + 1]));
      plc_snr += snr_db(e.reference[i], (*plc)->conceal());
      ++n;
    } else {
      ASSERT_TRUE((*fec)->decode(e.packets[i]));
      ASSERT_TRUE((*plc)->decode(e.packets[i]));
    }
  }
  std::printf("[fec vs plc] %.1f dB vs %.1f dB over %d lost frames\n", fec_snr / n, plc_snr / n, n);
  EXPECT_GT(fec_snr / n, plc_snr / n + 6.0);
}

TEST(AudioPlayout, FivePercentLossIsMostlyRebuiltFromFec) {
  const PlayoutRun r = play_opus(lossy_link(0.05), 1490);
  print("loss5%", r);
  const AudioJitterStats& s = r.stats.jitter;
  ASSERT_GT(r.lost, 50);
  EXPECT_GE(double(s.fec_recovered), 0.8 * r.lost);
  EXPECT_LT(s.concealed_fraction(), 0.02);
  EXPECT_EQ(s.late_dropped, 0u);
  EXPECT_EQ(r.stats.decode_errors, 0u);
  EXPECT_LE(s.target_delay_ms, 25);  // one frame of headroom for FEC, no more
  EXPECT_GT(r.mean_snr[int(FrameKind::kFecRecovered)],
            r.mean_snr[int(FrameKind::kConcealed)] + 3.0);
}

TEST(AudioPlayout, FecHeadroomSavesConcealment) {
  // Without the frame of headroom a loss is first waited for (a concealed
  // frame, +20 ms), then rebuilt from FEC and the delay accelerated away
  // again: three artifacts instead of one.
  AudioJitterBufferConfig config;
  config.fec_headroom = false;
  const PlayoutRun without = play_opus(lossy_link(0.05), 1490, config);
  const PlayoutRun with = play_opus(lossy_link(0.05), 1490);
  print("loss5%-no-headroom", without);
  EXPECT_GT(without.stats.jitter.concealed_fraction(),
            2.0 * with.stats.jitter.concealed_fraction());
  EXPECT_GT(without.stats.jitter.accelerated, 3 * with.stats.jitter.accelerated);
}

TEST(AudioPlayout, MinimumDelayIsReachedWithSingleConcealedFrames) {
  Link link;
  link.frames = 500;
  const PlayoutRun r = play_opus(link, 490, {}, milliseconds(100));
  print("minimum100", r);
  EXPECT_GE(r.stats.jitter.stretched, 4u);
  EXPECT_LE(r.stats.jitter.stretched, 6u);
  EXPECT_EQ(r.stats.jitter.concealed, 0u);
  EXPECT_GE(r.stats.jitter.buffer_delay_ms, 90);
  EXPECT_LE(r.stats.jitter.buffer_delay_ms, 112);
  // Each wait is one frame of concealment between decoded frames, and it
  // sounds like the speech around it, not a gap.
  for (size_t i = 1; i + 1 < r.info.size(); ++i) {
    if (r.info[i].kind != FrameKind::kExpanded) continue;
    EXPECT_EQ(r.info[i - 1].kind, FrameKind::kNormal) << i;
    EXPECT_EQ(r.info[i + 1].kind, FrameKind::kNormal) << i;
    EXPECT_FALSE(is_quiet(r.frames[i])) << i;
  }
  // Nothing is lost: every packet is played once.
  EXPECT_EQ(r.stats.jitter.normal + r.stats.jitter.accelerated * 2, 490u - r.stats.jitter.stretched);
}

TEST(AudioPlayout, EveryPullIsOneFullFrame) {
  Link link = lossy_link(0.1, 500);
  link.jitter_ms = [](int, std::mt19937& rng) {
    return std::uniform_real_distribution<double>(-20, 20)(rng);
  };
  link.sender_drift = 0.01;
  const PlayoutRun r = play_opus(link, 520);
  print("mixed", r);
  ASSERT_EQ(r.frames.size(), 520u);
  for (const AudioFrame& f : r.frames) EXPECT_EQ(f.samples.size(), size_t(kAudioFrameSamples));
  EXPECT_GT(r.stats.jitter.accelerated, 0u);
}

TEST(AudioPlayout, LongOutageFadesToSilenceAndResumes) {
  Link link;
  link.frames = 600;
  link.lost = [](int k, std::mt19937&) { return k >= 200 && k < 300; };
  const PlayoutRun r = play_opus(link, 590);
  print("outage", r);
  // Concealment beyond kMaxConcealedRun frames is silence.
  int silent_in_outage = 0;
  for (size_t i = 200 + AudioPlayout::kMaxConcealedRun + 2; i < 295; ++i) {
    bool silent = true;
    for (int16_t v : r.frames[i].samples) silent = silent && v == 0;
    silent_in_outage += silent;
  }
  EXPECT_GE(silent_in_outage, 80);
  // Decoded audio again right after.
  EXPECT_EQ(r.info[305].kind, FrameKind::kNormal);
  EXPECT_GT(snr_db(encoded_speech().reference[(r.info[400].rtp_timestamp - link.first_timestamp) / 960],
                   r.frames[400]),
            10.0);
}

TEST(AudioPlayout, BlendKeepsBothEnds) {
  AudioFrame a, b;
  a.samples.assign(kAudioFrameSamples, 1000);
  b.samples.assign(kAudioFrameSamples, -1000);
  const AudioFrame m = blend_frames(a, b);
  ASSERT_EQ(m.samples.size(), size_t(kAudioFrameSamples));
  EXPECT_NEAR(m.samples.front(), 1000, 2);
  EXPECT_NEAR(m.samples.back(), -1000, 2);
  EXPECT_NEAR(m.samples[kAudioFrameSamples / 2], 0, 2);
  EXPECT_TRUE(is_quiet(AudioFrame{std::vector<int16_t>(960, 50)}));
  EXPECT_FALSE(is_quiet(a));
}

TEST(AudioPlayout, InsertAndPullFromTwoThreads) {
  const Encoded& e = encoded_speech();
  auto playout = AudioPlayout::create();
  ASSERT_TRUE(playout);
  AudioPlayout& p = **playout;
  constexpr int kPackets = 1000;
  // The two threads run a packet apart: packet k+1 is inserted while frame k
  // is pulled (each waits for the other, no sleeping).
  std::atomic<int> pulled{0}, inserted{0};
  std::thread network([&] {
    for (int k = 0; k < kPackets; ++k) {
      for (int seen = pulled.load(); seen < k - 1; seen = pulled.load()) pulled.wait(seen);
      p.insert(uint16_t(k), uint32_t(k) * 960u, e.packets[size_t(k)], kT0 + k * kFrame);
      inserted.store(k + 1);
      inserted.notify_one();
    }
  });
  int full = 0;
  for (int n = 0; n < kPackets; ++n) {
    for (int seen = inserted.load(); seen < n + 1; seen = inserted.load()) inserted.wait(seen);
    full += p.next_frame(kT0 + n * kFrame + milliseconds(5)).samples.size() == 960u;
    pulled.store(n + 1);
    pulled.notify_one();
  }
  network.join();
  const AudioPlayoutStats s = p.stats();
  EXPECT_EQ(full, kPackets);
  EXPECT_EQ(s.jitter.frames, uint64_t(kPackets));
  EXPECT_EQ(s.jitter.packets_inserted + s.jitter.late_dropped, uint64_t(kPackets));
  EXPECT_EQ(s.jitter.normal, uint64_t(kPackets));
  EXPECT_EQ(s.decode_errors, 0u);
}

}  // namespace
}  // namespace peercall::test
