// The microphone wrapper end to end without devices: a fake speaker pushes
// its buffers into the EchoReference stamped with when they are heard, a fake
// microphone hears them 60 ms later at -6 dB; the wrapper must take the far
// end from the reference, tell the delay from the timestamps and cancel it.
#include "media/audio/processed_audio_source.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <vector>

#include "media/frames.hpp"

namespace peercall {
namespace {

constexpr size_t kFrame = kAudioFrameSamples;  // 20 ms, as the microphone delivers
const Instant t0 = instant_from_micros(5'000'000);

// Speech-like: filtered noise in 200 ms bursts.
std::vector<int16_t> far_signal(size_t n) {
  std::vector<int16_t> out(n);
  uint32_t s = 12345;
  double lp = 0;
  for (size_t i = 0; i < n; ++i) {
    s = s * 1664525u + 1013904223u;
    lp += 0.3 * ((double(s >> 8) / 16777216.0 - 0.5) - lp);
    const bool on = (i / 9600) % 3 != 2;
    out[i] = static_cast<int16_t>(on ? lp * 40000 : 0);
  }
  return out;
}

// A microphone whose frame k was captured at t0 + 20 ms * k; before handing
// it out it lets the "speaker" run (on_read), as the two threads would.
class FakeMicrophone : public AudioSource {
 public:
  FakeMicrophone(std::vector<int16_t> samples, std::function<void(size_t)> on_read)
      : samples_(std::move(samples)), on_read_(std::move(on_read)) {}
  std::optional<AudioFrame> read() override {
    if ((next_ + 1) * kFrame > samples_.size()) return std::nullopt;
    on_read_(next_);
    AudioFrame f;
    f.samples.assign(samples_.begin() + next_ * kFrame, samples_.begin() + (next_ + 1) * kFrame);
    f.capture_time = t0 + milliseconds(20) * next_;
    ++next_;
    return f;
  }
  std::string describe() const override { return "fake mic"; }

 private:
  std::vector<int16_t> samples_;
  std::function<void(size_t)> on_read_;
  size_t next_ = 0;
};

double energy(const std::vector<int16_t>& x, size_t from, size_t to) {
  double e = 1e-9;
  for (size_t i = from; i < std::min(to, x.size()); ++i) e += double(x[i]) * x[i];
  return e;
}

struct Outcome {
  std::vector<int16_t> echo, out;
};

// The speaker pulls 20 ms buffers that are heard `device_delay` later; the
// room adds 60 ms and -6 dB; the mic's frame k is read once frame k is captured.
Outcome run(bool aec, std::shared_ptr<EchoReference> reference, Duration device_delay) {
  const size_t total = 48000 * 6;
  const auto far = far_signal(total);
  const size_t room = 48000 * 60 / 1000;
  const size_t device = size_t(std::chrono::duration_cast<milliseconds>(device_delay).count()) * 48;
  Outcome o;
  o.echo.assign(total, 0);
  // Buffer b is pulled at t0 + 20 ms * b and heard device_delay later; its
  // echo is captured 60 ms after that.
  for (size_t i = 0; i + device + room < total; ++i) o.echo[i + device + room] = int16_t(far[i] / 2);
  size_t pulled = 0;
  auto speaker = [&](size_t mic_frame) {
    // Everything pulled up to the capture of this microphone frame's end.
    for (; pulled <= mic_frame + 1 && (pulled + 1) * kFrame <= total; ++pulled) {
      if (!reference) continue;
      std::span<const int16_t> buf(far.data() + pulled * kFrame, kFrame);
      reference->push(buf, t0 + milliseconds(20) * pulled + device_delay);
    }
  };
  auto processor = AudioProcessor::create({aec, false, false});
  EXPECT_TRUE(processor);
  ProcessedAudioSource source(std::make_unique<FakeMicrophone>(o.echo, speaker), std::move(*processor), reference);
  while (auto f = source.read()) o.out.insert(o.out.end(), f->samples.begin(), f->samples.end());
  auto stats = source.stats();
  if (aec && reference) {
    EXPECT_GT(stats.far_frames, 500u);
    // Told from the timestamps: the device's delay (the room's 60 ms is for the canceller to find).
    EXPECT_NEAR(stats.reported_delay_ms, std::chrono::duration_cast<milliseconds>(device_delay).count(), 25);
  }
  return o;
}

TEST(ProcessedAudioSource, CancelsTheSpeakersEchoFromTheReference) {
  const auto o = run(true, std::make_shared<EchoReference>(), milliseconds(40));
  const double erle = 10 * std::log10(energy(o.echo, 96000, o.out.size()) / energy(o.out, 96000, o.out.size()));
  std::printf("    ERLE through the wrapper: %.1f dB\n", erle);
  EXPECT_GE(erle, 20);
}

TEST(ProcessedAudioSource, WithoutAReferenceTheCancellerStaysOff) {
  const auto o = run(true, nullptr, milliseconds(40));
  const double erle = 10 * std::log10(energy(o.echo, 96000, o.out.size()) / energy(o.out, 96000, o.out.size()));
  EXPECT_LT(std::abs(erle), 1.0);
}

TEST(ProcessedAudioSource, DescribesWhatItDoes) {
  auto p = AudioProcessor::create({true, true, false});
  ASSERT_TRUE(p);
  ProcessedAudioSource s(std::make_unique<FakeMicrophone>(std::vector<int16_t>{}, [](size_t) {}), std::move(*p),
                         std::make_shared<EchoReference>());
  EXPECT_EQ(s.describe(), "fake mic, echo cancellation + noise suppression");
  EXPECT_FALSE(s.read());  // the end passes through
}

}  // namespace
}  // namespace peercall
