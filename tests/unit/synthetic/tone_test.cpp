#include "media/synthetic/tone.hpp"

#include <gtest/gtest.h>
#include <opus.h>

#include <cmath>
#include <cstdlib>
#include <memory>
#include <random>
#include <set>
#include <thread>
#include <vector>

namespace peercall {
namespace {

constexpr int kFramesIn5s = 250;

std::vector<int16_t> render_frames(int count, const std::set<int>& zeroed = {}) {
  std::vector<int16_t> out;
  for (int i = 0; i < count; ++i) {
    AudioFrame f = render_tone_frame(uint64_t(i));
    if (zeroed.count(i)) std::fill(f.samples.begin(), f.samples.end(), 0);
    out.insert(out.end(), f.samples.begin(), f.samples.end());
  }
  return out;
}

void expect_clean_tone(const ToneAnalysis& a, int beeps) {
  EXPECT_NEAR(a.beeps_detected, beeps, 1);
  EXPECT_NEAR(a.beep_period_ms, 500, 10);
  EXPECT_NEAR(a.tone_level_dbfs, -12, 2);
  EXPECT_LT(a.silence_level_dbfs, a.tone_level_dbfs - 30);
}

TEST(Tone, FramesFollowThePattern) {
  AudioFrame f0 = render_tone_frame(0);
  ASSERT_EQ(f0.samples.size(), size_t(kAudioFrameSamples));
  auto all = render_frames(25);  // one 500 ms period
  // 200 ms beep peaking near -12 dBFS (8231), then exact silence.
  int peak = 0;
  for (int i = 0; i < 9600; ++i) peak = std::max(peak, std::abs(int(all[size_t(i)])));
  EXPECT_NEAR(peak, 8231, 10);
  for (size_t i = 9600; i < all.size(); ++i) ASSERT_EQ(all[i], 0) << i;
  // Fades: the beep starts and ends near zero (no click).
  EXPECT_LT(std::abs(int(all[1])), 20);
  EXPECT_LT(std::abs(int(all[9599])), 20);
  // Phase-continuous across frame boundaries: no sample step larger than a
  // full-amplitude 880 Hz sine can make (2*pi*880/48000 * 8231 = 948).
  auto longer = render_frames(60);
  for (size_t i = 1; i < longer.size(); ++i) ASSERT_LE(std::abs(longer[i] - longer[i - 1]), 960) << i;
  // Periodic: frame 25 equals frame 0.
  EXPECT_EQ(render_tone_frame(25).samples, f0.samples);
}

TEST(Tone, AnalysisFindsTheBeepsPeriodAndLevels) {
  auto samples = render_frames(kFramesIn5s);
  ToneAnalysis a = analyze_tone(samples);
  EXPECT_EQ(a.beeps_detected, 10);
  EXPECT_NEAR(a.beep_period_ms, 500, 10);
  EXPECT_NEAR(a.tone_level_dbfs, -12, 1);
  EXPECT_LE(a.silence_level_dbfs, -100);
}

TEST(Tone, SilenceAndNoiseHaveNoBeeps) {
  std::vector<int16_t> silence(48000 * 3, 0);
  ToneAnalysis s = analyze_tone(silence);
  EXPECT_EQ(s.beeps_detected, 0);
  EXPECT_EQ(s.beep_period_ms, 0);
  std::mt19937 rng(5);
  for (double sigma : {30.0, 3000.0, 12000.0}) {
    std::normal_distribution<double> noise(0, sigma);
    std::vector<int16_t> n(48000 * 3);
    for (auto& v : n) v = static_cast<int16_t>(std::clamp(noise(rng), -32768.0, 32767.0));
    ToneAnalysis a = analyze_tone(n);
    EXPECT_EQ(a.beeps_detected, 0) << sigma;
    EXPECT_GT(a.silence_level_dbfs, -100) << sigma;  // the noise is measured, not ignored
  }
  EXPECT_EQ(analyze_tone({}).beeps_detected, 0);
  EXPECT_EQ(analyze_tone(silence, 0).beeps_detected, 0);
}

TEST(Tone, SurvivesLostFramesDelayAndNoise) {
  // Frames lost at a beep start, inside beeps (two in a row) and in silence.
  auto lossy = render_frames(kFramesIn5s, {25, 53, 54, 80, 102, 103, 104, 190});
  expect_clean_tone(analyze_tone(lossy), 10);

  // A constant delay that is not a whole block, plus background noise.
  std::vector<int16_t> delayed(313, 0);
  auto tone = render_frames(kFramesIn5s);
  delayed.insert(delayed.end(), tone.begin(), tone.end());
  std::mt19937 rng(11);
  std::normal_distribution<double> noise(0, 100);  // about -47 dBFS
  for (auto& v : delayed) v = static_cast<int16_t>(std::clamp(v + noise(rng), -32768.0, 32767.0));
  expect_clean_tone(analyze_tone(delayed), 10);

  // A receiver playing 20 dB quieter still hears the beeps, at their level.
  for (auto& v : tone) v = static_cast<int16_t>(v / 10);
  ToneAnalysis quiet = analyze_tone(tone);
  EXPECT_EQ(quiet.beeps_detected, 10);
  EXPECT_NEAR(quiet.tone_level_dbfs, -32, 1);
}

struct OpusEncoderFree {
  void operator()(OpusEncoder* e) const { opus_encoder_destroy(e); }
};
struct OpusDecoderFree {
  void operator()(OpusDecoder* d) const { opus_decoder_destroy(d); }
};

TEST(Tone, HeardThroughOpusWithPacketLoss) {
  int err = 0;
  std::unique_ptr<OpusEncoder, OpusEncoderFree> enc(opus_encoder_create(48000, 1, OPUS_APPLICATION_VOIP, &err));
  ASSERT_EQ(err, OPUS_OK);
  std::unique_ptr<OpusDecoder, OpusDecoderFree> dec(opus_decoder_create(48000, 1, &err));
  ASSERT_EQ(err, OPUS_OK);
  opus_encoder_ctl(enc.get(), OPUS_SET_BITRATE(24000));
  const std::set<int> lost = {30, 31, 77, 140, 141, 142, 201};
  std::vector<int16_t> received;
  std::vector<int16_t> pcm(kAudioFrameSamples);
  for (int i = 0; i < kFramesIn5s; ++i) {
    AudioFrame f = render_tone_frame(uint64_t(i));
    unsigned char packet[1500];
    opus_int32 n = opus_encode(enc.get(), f.samples.data(), kAudioFrameSamples, packet, sizeof packet);
    ASSERT_GT(n, 0);
    // A lost packet is concealed by the decoder, as the real receiver does.
    int got = lost.count(i) ? opus_decode(dec.get(), nullptr, 0, pcm.data(), kAudioFrameSamples, 0)
                            : opus_decode(dec.get(), packet, n, pcm.data(), kAudioFrameSamples, 0);
    ASSERT_EQ(got, kAudioFrameSamples);
    received.insert(received.end(), pcm.begin(), pcm.end());
  }
  expect_clean_tone(analyze_tone(received), 10);
}

TEST(ToneSource, DeliversTheToneFramesInOrderAndInterrupts) {
  ToneSource source;
  EXPECT_EQ(source.describe(), "test tone 880 Hz");
  Instant last{};
  for (uint64_t i = 0; i < 3; ++i) {
    auto f = source.read();
    ASSERT_TRUE(f);
    EXPECT_EQ(f->samples, render_tone_frame(i).samples);
    EXPECT_GE(f->capture_time, last);
    last = f->capture_time;
  }
  std::thread stopper([&] { source.interrupt(); });
  stopper.join();
  EXPECT_FALSE(source.read());
}

}  // namespace
}  // namespace peercall
