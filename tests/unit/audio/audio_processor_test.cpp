// The echo canceller on a synthetic echo path: the near end hears the far end
// 60 ms later at -6 dB (what a laptop's speaker and microphone do, minus the
// room). Measures ERLE with the near end silent and how much of the near
// end's own speech survives double talk.
#include "media/audio/audio_processor.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <numbers>
#include <vector>

#include "media/synthetic/tone.hpp"

namespace peercall {
namespace {

constexpr int kRate = AudioProcessor::kSampleRate;
constexpr size_t kFrame = AudioProcessor::kFrameSamples;
constexpr int kEchoDelayMs = 60;
constexpr double kEchoGain = 0.5;  // -6 dB

// Speech-like noise: white noise low-passed to a voice's spectrum, cut into
// syllables of 150-350 ms with short pauses; about -20 dBFS RMS while voiced.
std::vector<int16_t> speech_like(size_t samples, uint32_t seed) {
  std::vector<int16_t> out(samples);
  uint32_t state = seed;
  auto next = [&state] {  // xorshift32
    state ^= state << 13;
    state ^= state >> 17;
    state ^= state << 5;
    return state;
  };
  double lp1 = 0, lp2 = 0;
  size_t syllable_end = 0;
  bool voiced = false;
  size_t syllable_start = 0;
  for (size_t i = 0; i < samples; ++i) {
    if (i >= syllable_end) {
      voiced = !voiced || next() % 4 == 0;  // mostly voiced, sometimes two in a row
      syllable_start = i;
      syllable_end = i + (voiced ? 150 + next() % 200 : 40 + next() % 80) * kRate / 1000;
    }
    const double white = (double(next()) / 4294967296.0 - 0.5) * 2;
    lp1 += 0.25 * (white - lp1);  // ~2 kHz corner, twice
    lp2 += 0.25 * (lp1 - lp2);
    double env = 0;
    if (voiced) {
      const double phase = double(i - syllable_start) / double(syllable_end - syllable_start);
      env = std::sin(std::numbers::pi * phase);
    }
    out[i] = static_cast<int16_t>(std::lround(std::clamp(lp2 * env * 9000.0 * 3, -32767.0, 32767.0)));
  }
  return out;
}

std::vector<int16_t> tone_signal(size_t samples) {
  std::vector<int16_t> out;
  for (uint64_t f = 0; out.size() < samples; ++f) {
    auto frame = render_tone_frame(f);
    out.insert(out.end(), frame.samples.begin(), frame.samples.end());
  }
  out.resize(samples);
  return out;
}

// far delayed and attenuated: what the microphone picks up of the speaker.
std::vector<int16_t> echo_of(const std::vector<int16_t>& far) {
  const size_t delay = size_t(kRate) * kEchoDelayMs / 1000;
  std::vector<int16_t> echo(far.size(), 0);
  for (size_t i = delay; i < far.size(); ++i) echo[i] = static_cast<int16_t>(std::lround(far[i - delay] * kEchoGain));
  return echo;
}

double energy(const std::vector<int16_t>& x, double from_s, double to_s) {
  const size_t a = size_t(from_s * kRate), b = std::min(x.size(), size_t(to_s * kRate));
  double e = 0;
  for (size_t i = a; i < b; ++i) e += double(x[i]) * x[i];
  return e + 1e-9;
}

double db(double ratio) { return 10 * std::log10(ratio); }

// Runs far and near through a processor, 10 ms at a time: each far frame is
// given just before the near frame captured at the same moment, so the
// stream delay is the echo path's, kEchoDelayMs.
std::vector<int16_t> run(const AudioProcessingConfig& config, const std::vector<int16_t>& far,
                         const std::vector<int16_t>& near, int told_delay_ms = kEchoDelayMs) {
  auto processor = AudioProcessor::create(config);
  EXPECT_TRUE(processor) << processor.error();
  if (!processor) return {};
  std::vector<int16_t> out = near;
  for (size_t at = 0; at + kFrame <= far.size(); at += kFrame) {
    (*processor)->analyze_far(std::span(far).subspan(at, kFrame));
    (*processor)->process_near(std::span(out).subspan(at, kFrame), told_delay_ms);
  }
  auto stats = (*processor)->stats();
  EXPECT_EQ(stats.errors, 0u);
  std::printf("    canceller: ERLE %d dB (its own figure), delay found %d ms\n", stats.erle_db,
              stats.estimated_delay_ms);
  return out;
}

std::vector<int16_t> mix(const std::vector<int16_t>& a, const std::vector<int16_t>& b) {
  std::vector<int16_t> out(a.size());
  for (size_t i = 0; i < a.size(); ++i) out[i] = static_cast<int16_t>(std::clamp(int(a[i]) + int(b[i]), -32768, 32767));
  return out;
}

AudioProcessingConfig aec_only() { return {true, false, false}; }
AudioProcessingConfig all_on() { return {}; }

constexpr double kSeconds = 6.0;
const size_t kSamples = size_t(kSeconds * kRate);

TEST(AudioProcessor, CreatesWithEveryCombination) {
  for (int mask = 0; mask < 8; ++mask) {
    auto p = AudioProcessor::create({bool(mask & 1), bool(mask & 2), bool(mask & 4)});
    ASSERT_TRUE(p) << p.error();
    std::vector<int16_t> frame(kFrame, 100);
    (*p)->analyze_far(frame);
    (*p)->process_near(frame, 40);
    EXPECT_EQ((*p)->stats().errors, 0u);
  }
}

TEST(AudioProcessor, WrongFrameSizeIsCountedAndLeftAlone) {
  auto p = AudioProcessor::create(aec_only());
  ASSERT_TRUE(p);
  std::vector<int16_t> frame(kFrame - 1, 1234);
  (*p)->process_near(frame, 0);
  EXPECT_EQ((*p)->stats().errors, 1u);
  EXPECT_EQ(frame[0], 1234);
}

// ERLE over 2..6 s: converged within 2 s.
void expect_erle(const char* what, const AudioProcessingConfig& config, const std::vector<int16_t>& far,
                 int told_delay_ms, double min_db) {
  const auto echo = echo_of(far);
  const auto out = run(config, far, echo, told_delay_ms);
  ASSERT_EQ(out.size(), echo.size());
  const double erle_early = db(energy(echo, 0.5, 2.0) / energy(out, 0.5, 2.0));
  const double erle = db(energy(echo, 2.0, kSeconds) / energy(out, 2.0, kSeconds));
  std::printf("    %s: ERLE %.1f dB over 0.5-2 s, %.1f dB over 2-6 s\n", what, erle_early, erle);
  EXPECT_GE(erle, min_db) << what;
}

TEST(AudioProcessor, CancelsTheEchoOfSpeechWithinTwoSeconds) {
  expect_erle("speech, AEC only", aec_only(), speech_like(kSamples, 1), kEchoDelayMs, 20);
}

TEST(AudioProcessor, CancelsTheEchoOfSpeechWithEverythingOn) {
  expect_erle("speech, AEC+NS+AGC", all_on(), speech_like(kSamples, 2), kEchoDelayMs, 20);
}

TEST(AudioProcessor, CancelsTheEchoOfTheTestTone) {
  expect_erle("tone, AEC+NS+AGC", all_on(), tone_signal(kSamples), kEchoDelayMs, 20);
}

// The speaker's delay is only estimated: told 30 ms off, the canceller still copes.
TEST(AudioProcessor, CopesWithADelayEstimateThatIsOff) {
  expect_erle("speech, told 30 ms", all_on(), speech_like(kSamples, 3), kEchoDelayMs - 30, 20);
  expect_erle("speech, told 100 ms", all_on(), speech_like(kSamples, 4), kEchoDelayMs + 40, 20);
}

TEST(AudioProcessor, WithoutCancellationTheEchoStays) {
  const auto far = speech_like(kSamples, 5);
  const auto echo = echo_of(far);
  const auto out = run({false, false, false}, far, echo);
  const double erle = db(energy(echo, 2.0, kSeconds) / energy(out, 2.0, kSeconds));
  std::printf("    AEC off: ERLE %.1f dB\n", erle);
  EXPECT_LT(std::abs(erle), 1.0);  // only the high-pass filter touches it
}

// Both talk from 3 s on: the near end's speech must get through.
void expect_double_talk(const char* what, const AudioProcessingConfig& config, double max_loss_db) {
  const auto far = speech_like(kSamples, 6);
  auto speech = speech_like(kSamples, 7);
  for (size_t i = 0; i < size_t(3.0 * kRate); ++i) speech[i] = 0;  // the near end starts at 3 s
  const auto out = run(config, far, mix(echo_of(far), speech));
  // Alone, through the same processing: what the near end sounds like unechoed.
  const auto alone = run(config, std::vector<int16_t>(kSamples, 0), speech);
  const double loss = db(energy(speech, 3.0, kSeconds) / energy(out, 3.0, kSeconds));
  const double loss_alone = db(energy(speech, 3.0, kSeconds) / energy(alone, 3.0, kSeconds));
  std::printf("    %s: near-end speech %.1f dB down in double talk (%.1f dB alone)\n", what, loss, loss_alone);
  EXPECT_LT(loss, max_loss_db) << what;
}

TEST(AudioProcessor, NearEndSpeechGetsThroughDoubleTalk) {
  expect_double_talk("AEC only", aec_only(), 6);
  expect_double_talk("AEC+NS+AGC", all_on(), 6);
}

}  // namespace
}  // namespace peercall
