#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <string>
#include <vector>

#include <unistd.h>

extern "C" {
#include <libavformat/avformat.h>
}

#include "media/codec/h264_decoder.hpp"
#include "media/codec/h264_encoder.hpp"
#include "test_video.hpp"

using namespace peercall;
using peercall::test::make_test_frame;
using peercall::test::psnr_y;

namespace {

constexpr int kW = 640, kH = 360, kFps = 30;

H264EncoderConfig small_config(int bitrate = 500'000, int keyframe_interval_s = 3) {
  H264EncoderConfig c;
  c.width = kW;
  c.height = kH;
  c.fps = kFps;
  c.bitrate_bps = bitrate;
  c.keyframe_interval_s = keyframe_interval_s;
  c.threads = 1;  // deterministic and kind to a shared machine
  c.vbv_frames = 1;  // plain ABR with a one-frame VBV: the rate tests below
  c.crf = 0;
  return c;
}

std::unique_ptr<H264Encoder> make_encoder(const H264EncoderConfig& c) {
  auto enc = H264Encoder::create(c);
  EXPECT_TRUE(enc.ok()) << enc.error();
  return enc.ok() ? std::move(*enc) : nullptr;
}

std::unique_ptr<H264Decoder> make_decoder() {
  auto dec = H264Decoder::create();
  EXPECT_TRUE(dec.ok()) << dec.error();
  return dec.ok() ? std::move(*dec) : nullptr;
}

// Encodes frame n, which must come out at once (no encoder delay).
EncodedFrame encode_now(H264Encoder& enc, uint64_t n, bool force = false) {
  auto out = enc.encode(make_test_frame(kW, kH, n), force);
  EXPECT_TRUE(out.ok()) << out.error();
  EXPECT_TRUE(out.ok() && out->has_value()) << "encoder held frame " << n << " back";
  return out.ok() && out->has_value() ? std::move(**out) : EncodedFrame{};
}

std::set<int> nal_types(const std::vector<uint8_t>& au) {
  std::set<int> types;
  for (size_t i = 0; i + 3 < au.size(); ++i)
    if (au[i] == 0 && au[i + 1] == 0 && au[i + 2] == 1) types.insert(au[i + 3] & 0x1f);
  return types;
}

}  // namespace

TEST(H264, RoundTripOneInOneOutWithGoodQuality) {
  auto enc = make_encoder(small_config());
  auto dec = make_decoder();
  ASSERT_TRUE(enc && dec);
  double worst = 100, sum = 0;
  for (uint64_t n = 0; n < 60; ++n) {
    const VideoFrame src = make_test_frame(kW, kH, n);
    auto au = enc->encode(src, false);
    ASSERT_TRUE(au.ok() && au->has_value()) << "frame " << n;
    EXPECT_EQ(src.i420.use_count(), 1) << "encoder kept a reference to the input";
    const EncodedFrame& ef = **au;
    EXPECT_EQ(ef.keyframe, n == 0) << "frame " << n;
    EXPECT_EQ(ef.capture_time, src.capture_time);
    EXPECT_EQ(ef.rtp_timestamp, uint32_t(to_micros(src.capture_time) * 9 / 100));

    auto pic = dec->decode(ef);
    ASSERT_TRUE(pic.ok()) << "frame " << n << ": " << pic.error();
    ASSERT_TRUE(pic->has_value()) << "decoder held frame " << n << " back";
    const VideoFrame& out = **pic;
    ASSERT_EQ(out.width, kW);
    ASSERT_EQ(out.height, kH);
    ASSERT_EQ(out.i420->size(), VideoFrame::buffer_size(kW, kH));
    EXPECT_EQ(out.capture_time, src.capture_time);
    EXPECT_EQ(out.index, n);
    const double p = psnr_y(src, out);
    worst = std::min(worst, p);
    sum += p;
  }
  std::printf("PSNR-Y mean %.2f dB, worst %.2f dB\n", sum / 60, worst);
  EXPECT_GE(sum / 60, 30.0);
  EXPECT_GE(worst, 30.0);
  EXPECT_EQ(dec->frames_decoded(), 60u);
}

// The default (720p, automatic threads) must not buffer frames either: x264
// frame threads would, sliced threads don't.
TEST(H264, DefaultConfigHasNoEncoderDelay) {
  auto enc = make_encoder(H264EncoderConfig{});
  ASSERT_TRUE(enc);
  for (uint64_t n = 0; n < 4; ++n) {
    auto out = enc->encode(make_test_frame(1280, 720, n), false);
    ASSERT_TRUE(out.ok()) << out.error();
    EXPECT_TRUE(out->has_value()) << "frame " << n << " held back";
  }
}

// x264 writes its settings as text into an SEI of the first access unit:
// check the real-time tuning actually reached it.
TEST(H264, X264SettingsAreRealTime) {
  auto enc = make_encoder(small_config());
  ASSERT_TRUE(enc);
  const EncodedFrame first = encode_now(*enc, 0);
  const std::string text(first.data.begin(), first.data.end());
  const size_t at = text.find("options:");
  ASSERT_NE(at, std::string::npos);
  const std::string options = text.substr(at, text.find('\0', at) - at) + " ";
  for (const char* expected : {" cabac=0 ", " bframes=0 ", " rc_lookahead=0 ", " keyint=90 ",
                               " scenecut=0 ", " rc=cbr ", " vbv_maxrate=500 ",
                               " vbv_bufsize=66 ", " threads=1 "})  // the first frame's: 4 intervals
    EXPECT_NE(options.find(expected), std::string::npos) << expected << " not in " << options;
}

TEST(H264, FirstFrameIsIdrWithParameterSets) {
  auto enc = make_encoder(small_config());
  ASSERT_TRUE(enc);
  const EncodedFrame first = encode_now(*enc, 0);
  ASSERT_GE(first.data.size(), 4u);
  EXPECT_TRUE(first.data[0] == 0 && first.data[1] == 0 &&
              (first.data[2] == 1 || (first.data[2] == 0 && first.data[3] == 1)))
      << "not Annex B";
  const auto types = nal_types(first.data);
  EXPECT_TRUE(first.keyframe);
  EXPECT_TRUE(types.count(7) && types.count(8) && types.count(5));
  const auto second = nal_types(encode_now(*enc, 1).data);
  EXPECT_FALSE(second.count(5) || second.count(7));
  EXPECT_TRUE(second.count(1));
}

TEST(H264, ForcedKeyframeIsIdrWithParameterSets) {
  auto enc = make_encoder(small_config());
  ASSERT_TRUE(enc);
  for (uint64_t n = 0; n < 10; ++n) encode_now(*enc, n);
  const EncodedFrame forced = encode_now(*enc, 10, true);
  EXPECT_TRUE(forced.keyframe);
  const auto types = nal_types(forced.data);
  EXPECT_TRUE(types.count(5)) << "forced keyframe is not an IDR";
  EXPECT_TRUE(types.count(7) && types.count(8)) << "IDR without SPS/PPS";
  EXPECT_FALSE(encode_now(*enc, 11).keyframe);
}

TEST(H264, PeriodicKeyframeEveryIntervalWithoutIntraRefresh) {
  H264EncoderConfig c = small_config(500'000, 1);
  c.intra_refresh = false;
  auto enc = make_encoder(c);
  ASSERT_TRUE(enc);
  for (uint64_t n = 0; n <= 2 * kFps; ++n) {
    const EncodedFrame f = encode_now(*enc, n);
    const bool expect_key = n % kFps == 0;
    EXPECT_EQ(f.keyframe, expect_key) << "frame " << n;
    EXPECT_EQ(nal_types(f.data).count(5) == 1, expect_key) << "frame " << n;
  }
}

TEST(H264, BitrateNearTarget) {
  const int target = 500'000;
  auto enc = make_encoder(small_config(target));
  ASSERT_TRUE(enc);
  // The one-frame VBV bounds every frame but the first keyframe, which has
  // the keyframe's budget (x264 may overshoot its buffer slightly).
  const size_t frame_budget = size_t(target / kFps / 8);
  const size_t first = encode_now(*enc, 0).data.size();
  EXPECT_GT(first, frame_budget * 5 / 4);
  EXPECT_LE(first, size_t(double(frame_budget) * small_config().keyframe_vbv_frames * 5 / 4));
  size_t bytes = 0;  // the first keyframe is excluded from the rate
  for (uint64_t n = 1; n <= 2 * kFps; ++n) {
    const size_t size = encode_now(*enc, n).data.size();
    EXPECT_LE(size, frame_budget * 5 / 4) << "frame " << n;
    bytes += size;
  }
  const double bps = double(bytes) * 8 / 2.0;
  std::printf("%d bit/s target -> %.0f bit/s\n", target, bps);
  EXPECT_GE(bps, 0.5 * target);
  EXPECT_LE(bps, 1.5 * target);
}

// The default mode: constant quality under a cap. No frame exceeds the VBV
// (1.5 frame intervals at the cap) and the rate stays under the cap.
TEST(H264, CappedCrfStaysUnderTheCap) {
  H264EncoderConfig c = small_config(300'000);
  c.crf = 20;
  c.vbv_frames = 1.5;
  auto enc = make_encoder(c);
  ASSERT_TRUE(enc);
  const EncodedFrame first = encode_now(*enc, 0);
  const std::string text(first.data.begin(), first.data.end());
  EXPECT_NE(text.find(" rc=crf "), std::string::npos);
  EXPECT_NE(text.find(" vbv_maxrate=300 "), std::string::npos);
  const size_t budget = size_t(300'000 / kFps / 8 * 1.5);
  size_t bytes = 0;
  for (uint64_t n = 1; n <= 2 * kFps; ++n) {
    const size_t size = encode_now(*enc, n).data.size();
    EXPECT_LE(size, budget * 5 / 4) << "frame " << n;
    bytes += size;
  }
  EXPECT_LE(double(bytes) * 8 / 2.0, 300'000 * 1.05);
}

TEST(H264, LargerVbvLetsKeyframesGrow) {
  H264EncoderConfig one_frame = small_config();
  one_frame.keyframe_vbv_frames = one_frame.vbv_frames;
  H264EncoderConfig roomy = small_config();
  roomy.vbv_frames = 4;
  auto tight_enc = make_encoder(one_frame);
  auto roomy_enc = make_encoder(roomy);
  ASSERT_TRUE(tight_enc && roomy_enc);
  const size_t tight = encode_now(*tight_enc, 0).data.size();
  const size_t large = encode_now(*roomy_enc, 0).data.size();
  std::printf("keyframe bytes: vbv 1 frame %zu, 4 frames %zu\n", tight, large);
  EXPECT_GT(large, tight * 3 / 2);
}

// The first frame (an encoder opened mid-call at a new size, after a
// collapse pause, at a low rate) takes the keyframe's budget, as a keyframe
// asked for does; the frames after it go back to the normal VBV.
TEST(H264, TheFirstKeyframeTakesTheKeyframeBudget) {
  H264EncoderConfig squeezed = small_config(150'000);
  squeezed.vbv_frames = 1.5;
  squeezed.keyframe_vbv_frames = 1.5;
  H264EncoderConfig budgeted = squeezed;
  budgeted.keyframe_vbv_frames = 4;
  auto a = make_encoder(squeezed);
  auto b = make_encoder(budgeted);
  ASSERT_TRUE(a && b);
  const EncodedFrame fa = encode_now(*a, 0), fb = encode_now(*b, 0);
  ASSERT_TRUE(fa.keyframe && fb.keyframe);
  size_t pa = 0, pb = 0;
  for (uint64_t n = 1; n < 30; ++n) {
    pa = std::max(pa, encode_now(*a, n).data.size());
    pb = std::max(pb, encode_now(*b, n).data.size());
  }
  std::printf("first keyframe at 150 kbit/s: %zu bytes (QP %d) in a 1.5-frame VBV, %zu (QP %d) with a 4-frame budget;"
              " largest P-frame after it %zu / %zu\n", fa.data.size(), fa.qp, fb.data.size(), fb.qp, pa, pb);
  EXPECT_GT(fb.data.size(), fa.data.size() * 5 / 4);  // ~0.9 of the buffer: x264 starts it that full
  EXPECT_LT(fb.qp, fa.qp);
  // The P-frames are back in the 1.5-frame buffer (150 kbit/s at 30 fps:
  // 625 bytes a frame; 1.5 frames is ~940).
  EXPECT_LE(pb, size_t(150'000 / 8 / kFps * 1.5 * 1.1));
}

TEST(H264, SetBitrateRetargetsRateControl) {
  auto enc = make_encoder(small_config(1'000'000));
  ASSERT_TRUE(enc);
  auto bytes_over = [&](uint64_t from, uint64_t count) {
    size_t bytes = 0;
    for (uint64_t n = from; n < from + count; ++n) bytes += encode_now(*enc, n).data.size();
    return double(bytes) * 8 * kFps / double(count);
  };
  bytes_over(0, 10);  // settle after the keyframe
  const double high = bytes_over(10, 30);
  enc->set_bitrate(250'000);
  EXPECT_EQ(enc->bitrate(), 250'000);
  bytes_over(40, 10);
  const double low = bytes_over(50, 30);
  enc->set_bitrate(1'000'000);
  bytes_over(80, 10);
  const double high_again = bytes_over(90, 30);
  std::printf("1M -> %.0f, 250k -> %.0f, 1M -> %.0f bit/s\n", high, low, high_again);
  EXPECT_LT(low, 0.5 * high);
  EXPECT_LT(low, 1.5 * 250'000);
  EXPECT_GT(high_again, 2 * low);
}

// The frame's quantizer comes out with it (the resolution ladder reads it):
// low at a generous rate, near the top when the rate starves the picture.
TEST(H264, EachFrameCarriesItsQuantizer) {
  H264EncoderConfig generous = small_config(2'000'000);
  generous.crf = 20;
  H264EncoderConfig starved = small_config(60'000);
  starved.crf = 20;
  auto a = make_encoder(generous);
  auto b = make_encoder(starved);
  ASSERT_TRUE(a && b);
  double qa = 0, qb = 0;
  for (uint64_t n = 0; n < 30; ++n) {
    const EncodedFrame fa = encode_now(*a, n), fb = encode_now(*b, n);
    ASSERT_GE(fa.qp, 0);
    ASSERT_LE(fa.qp, 69);  // x264's rate control runs to QP 69 (codes at most 51)
    qa += fa.qp;
    qb += fb.qp;
  }
  std::printf("QP at 2 Mbit/s %.1f, at 60 kbit/s %.1f\n", qa / 30, qb / 30);
  EXPECT_LT(qa / 30, 30);
  EXPECT_GT(qb / 30, 40);
}

TEST(H264, MismatchedFrameSizeIsError) {
  auto enc = make_encoder(small_config());
  ASSERT_TRUE(enc);
  auto out = enc->encode(make_test_frame(320, 180, 0), false);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error(), "h264: frame size differs from encoder config");
  EXPECT_FALSE(enc->encode(VideoFrame{}, false).ok());
  // The encoder is still fine afterwards.
  EXPECT_TRUE(encode_now(*enc, 0).keyframe);
}

TEST(H264, InvalidConfigIsError) {
  H264EncoderConfig c = small_config();
  c.width = 641;
  EXPECT_FALSE(H264Encoder::create(c).ok());
  c = small_config();
  c.fps = 0;
  EXPECT_FALSE(H264Encoder::create(c).ok());
}

TEST(H264, GarbageIsErrorWithoutCrash) {
  auto enc = make_encoder(small_config());
  auto dec = make_decoder();
  ASSERT_TRUE(enc && dec);
  std::mt19937 rng(42);
  auto random_bytes = [&](size_t n) {
    std::vector<uint8_t> v(n);
    for (auto& b : v) b = uint8_t(rng());
    return v;
  };
  EXPECT_FALSE(dec->decode(EncodedFrame{}).ok());
  for (int i = 0; i < 50; ++i) {
    EncodedFrame junk;
    junk.data = random_bytes(1 + rng() % 4000);
    if (i % 2) junk.data.insert(junk.data.begin(), {0, 0, 0, 1});  // looks like Annex B
    EXPECT_FALSE(dec->decode(junk).ok()) << "junk " << i;
  }
  // A keyframe with its slice data cut or scrambled.
  const EncodedFrame key = encode_now(*enc, 0);
  EncodedFrame cut = key;
  cut.data.resize(cut.data.size() / 2);
  auto cut_result = dec->decode(cut);
  EXPECT_FALSE(cut_result.ok());
  std::printf("keyframe cut in half: %s\n", cut_result.error().c_str());
  EncodedFrame scrambled = key;
  for (size_t i = scrambled.data.size() / 2; i < scrambled.data.size(); i += 7)
    scrambled.data[i] ^= 0x5a;
  auto scrambled_result = dec->decode(scrambled);  // detection is best effort; no crash
  std::printf("scrambled keyframe: %s\n", scrambled_result.ok() ? "decoded" : scrambled_result.error().c_str());
  // Then a fresh keyframe decodes normally: the decoder survived.
  auto pic = dec->decode(key);
  ASSERT_TRUE(pic.ok()) << pic.error();
  EXPECT_TRUE(pic->has_value());
}

// FFmpeg, fed a P-frame with no SPS/PPS seen, logs "non-existing PPS 0
// referenced" and returns no picture; the decoder reports that as an Error.
TEST(H264, PFrameWithoutKeyframeIsError) {
  auto enc = make_encoder(small_config());
  auto dec = make_decoder();
  ASSERT_TRUE(enc && dec);
  encode_now(*enc, 0);
  const EncodedFrame p = encode_now(*enc, 1);
  ASSERT_FALSE(p.keyframe);
  EXPECT_FALSE(dec->decode(p).ok());
}

// Losing a whole P-frame: the next one references a picture the decoder never
// saw. FFmpeg notices the frame_num gap and conceals it; whatever it reports,
// nothing crashes and a keyframe brings back a clean picture.
TEST(H264, LostReferenceRecoversAtKeyframe) {
  auto enc = make_encoder(small_config());
  auto dec = make_decoder();
  ASSERT_TRUE(enc && dec);
  ASSERT_TRUE(dec->decode(encode_now(*enc, 0)).ok());
  ASSERT_TRUE(dec->decode(encode_now(*enc, 1)).ok());
  encode_now(*enc, 2);  // lost
  auto after_gap = dec->decode(encode_now(*enc, 3));
  if (after_gap.ok() && after_gap->has_value())
    std::printf("P-frame after a lost one: decoded, PSNR-Y %.1f dB\n",
                psnr_y(make_test_frame(kW, kH, 3), **after_gap));
  else
    std::printf("P-frame after a lost one: %s\n", after_gap.error().c_str());
  auto key = dec->decode(encode_now(*enc, 4, true));
  ASSERT_TRUE(key.ok()) << key.error();
  ASSERT_TRUE(key->has_value());
  EXPECT_GE(psnr_y(make_test_frame(kW, kH, 4), **key), 30.0);
}

// An independent reader (libavformat's raw H.264 demuxer) sees our stream as
// constrained baseline of the right size.
TEST(H264, StreamFileProbesAsConstrainedBaseline) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("peercall_codec_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto path = dir / "stream.h264";
  {
    auto enc = make_encoder(small_config());
    ASSERT_TRUE(enc);
    std::ofstream out(path, std::ios::binary);
    for (uint64_t n = 0; n < 10; ++n) {
      const EncodedFrame f = encode_now(*enc, n);
      out.write(reinterpret_cast<const char*>(f.data.data()), std::streamsize(f.data.size()));
    }
  }
  AVFormatContext* fmt = nullptr;
  ASSERT_EQ(avformat_open_input(&fmt, path.c_str(), nullptr, nullptr), 0);
  ASSERT_GE(avformat_find_stream_info(fmt, nullptr), 0);
  ASSERT_EQ(fmt->nb_streams, 1u);
  const AVCodecParameters* par = fmt->streams[0]->codecpar;
  EXPECT_EQ(par->codec_id, AV_CODEC_ID_H264);
  EXPECT_EQ(par->profile, FF_PROFILE_H264_CONSTRAINED_BASELINE);
  EXPECT_EQ(par->width, kW);
  EXPECT_EQ(par->height, kH);
  avformat_close_input(&fmt);
  std::filesystem::remove_all(dir);
}

TEST(H264, IntraRefreshMeansNoPeriodicIdrOnlyRequestedOnes) {
  H264EncoderConfig c = small_config(500'000, 1);
  ASSERT_TRUE(c.intra_refresh);  // the default
  auto enc = make_encoder(c);
  auto dec = make_decoder();
  ASSERT_TRUE(enc && dec);
  double worst = 99;
  for (uint64_t n = 0; n < uint64_t(4 * kFps); ++n) {
    const bool force = n == uint64_t(3 * kFps + 5);
    const EncodedFrame f = encode_now(*enc, n, force);
    const bool expect_idr = n == 0 || force;
    EXPECT_EQ(f.keyframe, expect_idr) << "frame " << n;
    EXPECT_EQ(nal_types(f.data).count(5) == 1, expect_idr) << "frame " << n;
    auto picture = dec->decode(f);
    ASSERT_TRUE(picture.ok()) << "frame " << n << ": " << picture.error();
    ASSERT_TRUE(picture->has_value());
    if (n > 5) worst = std::min(worst, psnr_y(**picture, make_test_frame(kW, kH, n)));
  }
  EXPECT_GT(worst, 30.0);
}

TEST(H264, IntraRefreshHealsADecoderThatMissedTheStart) {
  // A decoder that joins after the IDR (no keyframe asked for) gets a whole
  // picture within one refresh period: FFmpeg decodes the P-frames, conceals
  // until the sweep has passed, then reports clean pictures.
  auto enc = make_encoder(small_config(800'000, 1));
  ASSERT_TRUE(enc);
  std::vector<EncodedFrame> frames;
  for (uint64_t n = 0; n < uint64_t(3 * kFps); ++n) frames.push_back(encode_now(*enc, n));
  // SPS/PPS come only before IDRs: hand the late decoder those, not the IDR's slices.
  auto dec = make_decoder();
  ASSERT_TRUE(dec);
  std::vector<uint8_t> headers;
  const auto& idr = frames[0].data;
  for (size_t i = 0; i + 3 < idr.size(); ++i) {
    if (idr[i] == 0 && idr[i + 1] == 0 && idr[i + 2] == 1 && (idr[i + 3] & 0x1f) == 5) {
      headers.assign(idr.begin(), idr.begin() + std::ptrdiff_t(i > 0 && idr[i - 1] == 0 ? i - 1 : i));
      break;
    }
  }
  ASSERT_FALSE(headers.empty());
  EncodedFrame sets;
  sets.data = headers;
  (void)dec->decode(sets);
  double last = 0;
  for (size_t n = 10; n < frames.size(); ++n) {
    auto picture = dec->decode(frames[n]);
    if (picture.ok() && picture->has_value()) last = psnr_y(**picture, make_test_frame(kW, kH, n));
  }
  EXPECT_GT(last, 30.0);
}

TEST(H264, DecoderFollowsASizeChange) {
  // The sender reopens its encoder when the source changes size; the new
  // stream starts with an IDR and new SPS, and one decoder takes both.
  auto dec = make_decoder();
  ASSERT_TRUE(dec);
  for (auto [w, h] : {std::pair{640, 360}, std::pair{360, 640}, std::pair{320, 240}}) {
    H264EncoderConfig c = small_config();
    c.width = w;
    c.height = h;
    auto enc = make_encoder(c);
    ASSERT_TRUE(enc);
    for (uint64_t n = 0; n < 10; ++n) {
      auto out = enc->encode(make_test_frame(w, h, n), false);
      ASSERT_TRUE(out.ok() && out->has_value());
      auto picture = dec->decode(**out);
      ASSERT_TRUE(picture.ok()) << w << "x" << h << " frame " << n << ": " << picture.error();
      ASSERT_TRUE(picture->has_value());
      EXPECT_EQ((*picture)->width, w);
      EXPECT_EQ((*picture)->height, h);
      EXPECT_GT(psnr_y(**picture, make_test_frame(w, h, n)), 30.0);
    }
  }
}
