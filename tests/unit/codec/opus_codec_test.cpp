#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <numbers>
#include <vector>

#include "media/codec/opus_decoder.hpp"
#include "media/codec/opus_encoder.hpp"

// Inside namespace peercall: at global scope OpusEncoder would also name
// libopus's C struct.
namespace peercall {
namespace {

std::vector<AudioFrame> sine_frames(double hz, int frames) {
  std::vector<AudioFrame> out(static_cast<size_t>(frames));
  for (int f = 0; f < frames; ++f) {
    out[f].samples.resize(kAudioFrameSamples);
    for (int i = 0; i < kAudioFrameSamples; ++i) {
      const double t = double(f * kAudioFrameSamples + i) / kAudioSampleRate;
      out[f].samples[i] = int16_t(std::lround(10000 * std::sin(2 * std::numbers::pi * hz * t)));
    }
  }
  return out;
}

double correlation(const std::vector<int16_t>& a, const std::vector<int16_t>& b, size_t from,
                   size_t lag, size_t count) {
  double ab = 0, aa = 0, bb = 0;
  for (size_t i = from; i < from + count; ++i) {
    const double x = a[i], y = b[i + lag];
    ab += x * y;
    aa += x * x;
    bb += y * y;
  }
  return aa > 0 && bb > 0 ? ab / std::sqrt(aa * bb) : 0;
}

}  // namespace

TEST(Opus, SineRoundTripCorrelates) {
  auto enc = OpusEncoder::create();
  auto dec = OpusDecoder::create();
  ASSERT_TRUE(enc.ok() && dec.ok());
  std::vector<int16_t> in, out;
  uint32_t expected_ts = 0;
  for (const AudioFrame& f : sine_frames(1000, 50)) {
    auto packet = (*enc)->encode(f);
    ASSERT_TRUE(packet.ok()) << packet.error();
    EXPECT_EQ(packet->rtp_timestamp, expected_ts);
    expected_ts += kAudioFrameSamples;
    EXPECT_GT(packet->data.size(), 10u);
    EXPECT_LT(packet->data.size(), 400u);  // ~32 kbit/s is ~80 bytes a frame
    auto pcm = (*dec)->decode(packet->data);
    ASSERT_TRUE(pcm.ok()) << pcm.error();
    ASSERT_EQ(pcm->samples.size(), size_t(kAudioFrameSamples));
    in.insert(in.end(), f.samples.begin(), f.samples.end());
    out.insert(out.end(), pcm->samples.begin(), pcm->samples.end());
  }
  // The decoded signal lags the input by about the encoder's lookahead (SILK
  // mode lands a few samples off). Search one 48-sample period around it, so
  // that only the true alignment can match.
  const int lookahead = (*enc)->lookahead_samples();
  ASSERT_GT(lookahead, 24);
  const size_t skip = 10 * kAudioFrameSamples;  // let the codec settle
  const size_t count = in.size() - skip - size_t(lookahead) - 24;
  double best = -1;
  int best_lag = 0;
  for (int lag = lookahead - 24; lag < lookahead + 24; ++lag) {
    const double r = correlation(in, out, skip, size_t(lag), count);
    if (r > best) best = r, best_lag = lag;
  }
  std::printf("correlation %.4f at delay %d samples (lookahead %d)\n", best, best_lag, lookahead);
  EXPECT_GT(best, 0.9);
  EXPECT_NEAR(best_lag, lookahead, 8);
  // Half a period off anti-correlates: the measure can fail.
  EXPECT_LT(correlation(in, out, skip, size_t(best_lag + 24), count), 0.0);
}

TEST(Opus, ConcealAndRecoverAlwaysGive20ms) {
  auto enc = OpusEncoder::create();
  auto dec = OpusDecoder::create();
  ASSERT_TRUE(enc.ok() && dec.ok());
  EXPECT_EQ((*dec)->conceal().samples.size(), size_t(kAudioFrameSamples));  // before any packet
  const auto frames = sine_frames(440, 12);
  std::vector<EncodedFrame> packets;
  for (const auto& f : frames) packets.push_back(*(*enc)->encode(f));
  for (int i = 0; i < 8; ++i) ASSERT_TRUE((*dec)->decode(packets[i].data).ok());
  const AudioFrame concealed = (*dec)->conceal();  // packet 8 lost
  EXPECT_EQ(concealed.samples.size(), size_t(kAudioFrameSamples));
  auto recovered = (*dec)->recover(packets[10].data);  // packet 9 lost, rebuilt from 10's FEC
  ASSERT_TRUE(recovered.ok()) << recovered.error();
  EXPECT_EQ(recovered->samples.size(), size_t(kAudioFrameSamples));
  auto next = (*dec)->decode(packets[10].data);
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->samples.size(), size_t(kAudioFrameSamples));
}

TEST(Opus, BadInputIsError) {
  auto enc = OpusEncoder::create();
  auto dec = OpusDecoder::create();
  ASSERT_TRUE(enc.ok() && dec.ok());
  AudioFrame short_frame;
  short_frame.samples.resize(480);
  EXPECT_FALSE((*enc)->encode(short_frame).ok());
  EXPECT_FALSE((*dec)->decode(ByteView{}).ok());
  const uint8_t bad_toc[] = {0xff, 0xff, 0xff};  // code 3 with an impossible frame count
  EXPECT_FALSE((*dec)->decode(bad_toc).ok());
  const std::vector<uint8_t> huge(4000, 0x11);
  EXPECT_FALSE((*dec)->decode(huge).ok());
  // A valid 10 ms packet from some other encoder is not what we play out.
  int err = 0;
  ::OpusEncoder* other = opus_encoder_create(kAudioSampleRate, 1, OPUS_APPLICATION_VOIP, &err);
  ASSERT_EQ(err, OPUS_OK);
  std::vector<int16_t> pcm(480, 0);
  uint8_t buf[400];
  const int n = opus_encode(other, pcm.data(), 480, buf, sizeof buf);
  opus_encoder_destroy(other);
  ASSERT_GT(n, 0);
  auto r = (*dec)->decode(ByteView(buf, size_t(n)));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), "opus: packet is not 20 ms");
}

}  // namespace peercall
