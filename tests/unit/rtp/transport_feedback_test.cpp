#include "rtp/transport_feedback.hpp"

#include <gtest/gtest.h>

#include <random>

#include "rtp/rtcp_packet.hpp"

using namespace peercall;

namespace {

using Arrivals = std::vector<std::optional<int64_t>>;

// A real Chrome feedback packet (P bit set, one padding byte), from the test
// data of github.com/olivermichel/webrtc-analysis, test/include/data.h
// (twcc_pkt1), decoded there by Wireshark: base 1, 9 statuses in one
// run-length chunk of small deltas, reference time 6197520, fb count 0,
// deltas 7, 3, 11, 14, 0, 1, 0, 2, 6 ms.
const Bytes kChromeFeedback = {0xaf, 0xcd, 0x00, 0x07, 0x00, 0x00, 0x00, 0x01, 0xdd, 0x58, 0x6e,
                               0xb6, 0x00, 0x01, 0x00, 0x09, 0x5e, 0x91, 0x10, 0x00, 0x20, 0x09,
                               0x1c, 0x0c, 0x2c, 0x38, 0x00, 0x04, 0x00, 0x08, 0x18, 0x01};

// Derived by hand from the bit layout of draft-holmer-rmcat-transport-wide-
// cc-extensions-01 section 3.1 (see HandDerivedVector below for the fields).
const Bytes kHandDerived = {0xaf, 0xcd, 0x00, 0x08,   // V=2 P=1 FMT=15, PT 205, 9 words
                            0x01, 0x02, 0x03, 0x04,   // sender SSRC
                            0x05, 0x06, 0x07, 0x08,   // media SSRC
                            0xff, 0xfe, 0x00, 0x29,   // base 65534, 41 statuses
                            0xff, 0xff, 0xff, 0x07,   // reference -1 (x 64 ms), fb count 7
                            0xd8, 0x94,               // 2-bit vector: 1 2 0 2 1 1 0
                            0x00, 0x14,               // run: 20 x not received
                            0xa0, 0x01,               // 1-bit vector: 1, 12 x 0, 1
                            0x10, 0xff, 0xfc, 0x04,   // deltas: 16, -4 (large), 1024 (large)
                            0x00, 0xff, 0x00, 0x01,   //   ..., 255, 0, 1
                            0x02, 0x01};              //   2; one padding byte (count 1)

TransportFeedback round_trip(const TransportFeedback& fb) {
  Bytes wire;
  write_transport_feedback(fb, wire);
  EXPECT_EQ(wire.size() % 4, 0u);
  EXPECT_EQ(wire.size(), transport_feedback_size(fb));
  auto parsed = parse_rtcp_compound(wire);
  EXPECT_TRUE(parsed.ok()) << parsed.error();
  if (!parsed.ok() || parsed->size() != 1) return {};
  const auto* out = std::get_if<TransportFeedback>(&(*parsed)[0]);
  EXPECT_NE(out, nullptr);
  return out ? *out : TransportFeedback{};
}

TransportFeedback make(uint16_t base, int64_t reference_us, const Arrivals& offsets) {
  TransportFeedback fb;
  fb.sender_ssrc = 11;
  fb.media_ssrc = 22;
  fb.base_sequence = base;
  fb.feedback_count = 3;
  fb.reference_time_us = reference_us;
  for (const auto& o : offsets) fb.statuses.push_back({o});
  return fb;
}

void expect_same(const TransportFeedback& a, const TransportFeedback& b) {
  EXPECT_EQ(a.sender_ssrc, b.sender_ssrc);
  EXPECT_EQ(a.media_ssrc, b.media_ssrc);
  EXPECT_EQ(a.base_sequence, b.base_sequence);
  EXPECT_EQ(a.feedback_count, b.feedback_count);
  EXPECT_EQ(a.reference_time_us, b.reference_time_us);
  ASSERT_EQ(a.statuses.size(), b.statuses.size());
  for (size_t i = 0; i < a.statuses.size(); ++i) {
    EXPECT_EQ(a.statuses[i].arrival_offset_us, b.statuses[i].arrival_offset_us) << "status " << i;
  }
}

// Chunk words of a written packet (for checking the encoder's choices).
std::vector<uint16_t> chunk_words(const Bytes& wire, size_t count) {
  std::vector<uint16_t> out;
  for (size_t i = 0; i < count; ++i) out.push_back(uint16_t(wire[20 + 2 * i] << 8 | wire[21 + 2 * i]));
  return out;
}

}  // namespace

TEST(TransportFeedback, ParsesChromeCapture) {
  auto parsed = parse_rtcp_compound(kChromeFeedback);
  ASSERT_TRUE(parsed.ok()) << parsed.error();
  ASSERT_EQ(parsed->size(), 1u);
  const auto* fb = std::get_if<TransportFeedback>(&(*parsed)[0]);
  ASSERT_NE(fb, nullptr);
  EXPECT_EQ(fb->sender_ssrc, 1u);
  EXPECT_EQ(fb->media_ssrc, 0xdd586eb6u);
  EXPECT_EQ(fb->base_sequence, 1);
  EXPECT_EQ(fb->feedback_count, 0);
  EXPECT_EQ(fb->reference_time_us, 6197520 * 64'000LL);
  const int64_t expected_ms[] = {7, 10, 21, 35, 35, 36, 36, 38, 44};  // running sums
  ASSERT_EQ(fb->statuses.size(), 9u);
  for (size_t i = 0; i < 9; ++i) {
    EXPECT_EQ(fb->statuses[i].arrival_offset_us, expected_ms[i] * 1000) << i;
  }
  // Writing it back reproduces Chrome's bytes, padding included.
  Bytes wire;
  write_rtcp(*fb, wire);
  EXPECT_EQ(wire, kChromeFeedback);
}

TEST(TransportFeedback, HandDerivedVector) {
  auto parsed = parse_rtcp_compound(kHandDerived);
  ASSERT_TRUE(parsed.ok()) << parsed.error();
  ASSERT_EQ(parsed->size(), 1u);
  const auto* fb = std::get_if<TransportFeedback>(&(*parsed)[0]);
  ASSERT_NE(fb, nullptr);
  Arrivals expected(41);
  expected[0] = 4000;     // 16 ticks
  expected[1] = 3000;     // -4 ticks: negative, so large
  expected[3] = 259000;   // +1024 ticks: over 255, so large
  expected[4] = 322750;   // +255
  expected[5] = 322750;   // +0
  expected[27] = 323000;  // +1
  expected[40] = 323500;  // +2
  const TransportFeedback want = make(65534, -64'000, expected);
  TransportFeedback w = want;
  w.sender_ssrc = 0x01020304;
  w.media_ssrc = 0x05060708;
  w.feedback_count = 7;
  expect_same(*fb, w);
  EXPECT_EQ(fb->sequence_at(2), 0);  // wraps
  Bytes wire;
  write_transport_feedback(w, wire);
  EXPECT_EQ(wire, kHandDerived);
}

TEST(TransportFeedback, RunLengthChunks) {
  Arrivals all(300);
  for (size_t i = 0; i < all.size(); ++i) all[i] = int64_t(i) * 1000;
  const TransportFeedback fb = make(100, 64'000 * 5, all);
  Bytes wire;
  write_transport_feedback(fb, wire);
  // 300 small deltas: one run-length chunk (T=0, S=01, length 300).
  EXPECT_EQ(chunk_words(wire, 1)[0], 0x2000 | 300);
  expect_same(round_trip(fb), fb);
  // 9000 lost then one received: runs of at most 8191.
  Arrivals lossy(9001);
  lossy.back() = 250;
  const TransportFeedback sparse = make(0, 0, lossy);
  Bytes sparse_wire;
  write_transport_feedback(sparse, sparse_wire);
  EXPECT_EQ(chunk_words(sparse_wire, 3), (std::vector<uint16_t>{0x1fff, 9000 - 8191, 0x2001}));
  expect_same(round_trip(sparse), sparse);
}

TEST(TransportFeedback, OneBitVectorForMixedSmallAndLost) {
  Arrivals a = {0, {}, 250, {}, {}, 500, 750, {}, 1000, {}, {}, {}, 1250, 1500};
  const TransportFeedback fb = make(7, 0, a);
  Bytes wire;
  write_transport_feedback(fb, wire);
  // T=1 S=0, symbols 1 0 1 0 0 1 1 0 1 0 0 0 1 1.
  EXPECT_EQ(chunk_words(wire, 1)[0], 0x8000 | 0b10100110100011);
  expect_same(round_trip(fb), fb);
}

TEST(TransportFeedback, TwoBitVectorForLargeAndNegativeDeltas) {
  Arrivals a = {1000, {}, 900'000, 100'000, 100'250, {}, 8'000'000};
  const TransportFeedback fb = make(65530, 64'000, a);  // wraps inside the packet
  Bytes wire;
  write_transport_feedback(fb, wire);
  // T=1 S=1, symbols 1 0 2 2 1 0 2.
  EXPECT_EQ(chunk_words(wire, 1)[0], 0xc000 | 0b01001010010010);
  expect_same(round_trip(fb), fb);
}

TEST(TransportFeedback, LossPatternsRoundTrip) {
  std::mt19937 rng(15);
  for (int round = 0; round < 200; ++round) {
    TransportFeedback fb = make(uint16_t(rng()), 64'000 * int64_t(rng() % 1000), {});
    fb.statuses.resize(1 + rng() % 400);
    int64_t t = int64_t(rng() % 256) * 250;  // the first delta is small
    for (auto& status : fb.statuses) {
      const unsigned r = rng() % 10;
      if (r < 3) continue;  // lost
      // Mostly small steps, some large ones and some backwards (reordering);
      // each step stays within 16 bits signed of 250 us ticks.
      const int64_t ticks = r == 9 ? int64_t(rng() % 32767) : r == 8 ? -int64_t(rng() % 200)
                                                                      : int64_t(rng() % 80);
      t += ticks * 250;
      status.arrival_offset_us = t;
    }
    expect_same(round_trip(fb), fb);
  }
}

TEST(TransportFeedback, ReferenceTimeIsSigned24BitIn64msUnits) {
  const TransportFeedback neg = make(1, -64'000 * 100, {1000});
  expect_same(round_trip(neg), neg);
  const TransportFeedback top = make(1, 64'000LL * 0x7fffff, {1000});
  expect_same(round_trip(top), top);
  // Beyond 24 bits the value wraps (the sender unwraps it).
  const TransportFeedback wrapped = make(1, 64'000 * int64_t(0x800000), {1000});
  EXPECT_EQ(round_trip(wrapped).reference_time_us, -64'000 * int64_t(0x800000));
}

TEST(TransportFeedback, StrictParsing) {
  const auto body_of = [](const Bytes& wire) { return ByteView(wire).subspan(4); };
  Bytes good;
  write_transport_feedback(make(1, 0, {250, {}, 500}), good);
  ASSERT_TRUE(parse_transport_feedback(body_of(good)).ok());
  // Zero statuses.
  Bytes zero = good;
  zero[14] = zero[15] = 0;
  EXPECT_FALSE(parse_transport_feedback(body_of(zero)).ok());
  // Count larger than the chunks present.
  Bytes many = good;
  many[15] = 200;
  EXPECT_FALSE(parse_transport_feedback(body_of(many)).ok());
  // Deltas missing (truncated before them).
  EXPECT_FALSE(parse_transport_feedback(ByteView(good).subspan(4, 18)).ok());
  // Reserved symbol 3 in a run-length chunk, and in a two-bit vector.
  Bytes run3 = good;
  run3[20] = 0x60, run3[21] = 0x03;
  EXPECT_FALSE(parse_transport_feedback(body_of(run3)).ok());
  Bytes vec3 = good;
  vec3[20] = 0xf0, vec3[21] = 0x00;
  EXPECT_FALSE(parse_transport_feedback(body_of(vec3)).ok());
  // Four or more trailing bytes.
  Bytes trailing(good.begin() + 4, good.end());
  trailing.insert(trailing.end(), {0, 0, 0, 0, 0});
  EXPECT_FALSE(parse_transport_feedback(trailing).ok());
  // Truncated fixed part.
  EXPECT_FALSE(parse_transport_feedback(ByteView(good).subspan(4, 15)).ok());
  // Via the compound parser the error surfaces too.
  Bytes bad_compound = many;
  EXPECT_FALSE(parse_rtcp_compound(bad_compound).ok());
}

TEST(TransportFeedback, CompoundWithReceiverReport) {
  ReceiverReport rr;
  rr.ssrc = 9;
  const TransportFeedback fb = make(40, 64'000 * 3, {1000, 2000, {}, 3000});
  const Bytes wire = write_rtcp_compound({rr, fb});
  auto parsed = parse_rtcp_compound(wire);
  ASSERT_TRUE(parsed.ok()) << parsed.error();
  ASSERT_EQ(parsed->size(), 2u);
  EXPECT_NE(std::get_if<ReceiverReport>(&(*parsed)[0]), nullptr);
  const auto* out = std::get_if<TransportFeedback>(&(*parsed)[1]);
  ASSERT_NE(out, nullptr);
  expect_same(*out, fb);
}

TEST(TransportFeedbackBuilder, SplitsWhenADeltaDoesNotFit16Bits) {
  // 10 s between two arrivals: more than 8191.75 ms, so a second packet.
  const int64_t t0 = 1'000'000'000;
  const Arrivals a = {t0, t0 + 1000, {}, t0 + 10'000'000, t0 + 10'000'500};
  uint8_t count = 250;
  const auto fbs = build_transport_feedback({1, 2, 1200}, 65534, a, count);
  ASSERT_EQ(fbs.size(), 2u);
  EXPECT_EQ(count, 252);
  EXPECT_EQ(fbs[0].feedback_count, 250);
  EXPECT_EQ(fbs[1].feedback_count, 251);
  EXPECT_EQ(fbs[0].base_sequence, 65534);
  EXPECT_EQ(fbs[0].statuses.size(), 3u);
  EXPECT_EQ(fbs[1].base_sequence, 1);
  EXPECT_EQ(fbs[1].statuses.size(), 2u);
  size_t first = 0;  // index into `a` of each packet's base
  for (const TransportFeedback& fb : fbs) {
    EXPECT_EQ(fb.reference_time_us % 64'000, 0);
    const TransportFeedback back = round_trip(fb);
    ASSERT_EQ(back.statuses.size(), fb.statuses.size());
    for (size_t i = 0; i < fb.statuses.size(); ++i) {
      const auto& orig = a[first + i];
      const auto& got = back.statuses[i].arrival_offset_us;
      ASSERT_EQ(orig.has_value(), got.has_value()) << i;
      if (orig) {
        EXPECT_LT(std::abs(back.reference_time_us + *got - *orig), 250) << i;
      }
    }
    first += fb.statuses.size();
  }
}

TEST(TransportFeedbackBuilder, SplitsBySizeAndEveryPacketFits) {
  Arrivals a(3000);
  for (size_t i = 0; i < a.size(); ++i) {
    if (i % 3) a[i] = int64_t(i) * 100'000;  // 100 ms apart: large deltas
  }
  uint8_t count = 0;
  const auto fbs = build_transport_feedback({1, 2, 500}, 0, a, count);
  ASSERT_GT(fbs.size(), 1u);
  size_t covered = 0;
  for (const TransportFeedback& fb : fbs) {
    EXPECT_EQ(fb.base_sequence, uint16_t(covered));
    EXPECT_LE(transport_feedback_size(fb), 500u);
    covered += fb.statuses.size();
    const TransportFeedback back = round_trip(fb);
    ASSERT_EQ(back.statuses.size(), fb.statuses.size());
    for (size_t i = 0; i < fb.statuses.size(); ++i) {
      const auto& orig = a[fb.base_sequence + i];
      const auto& got = back.statuses[i].arrival_offset_us;
      ASSERT_EQ(orig.has_value(), got.has_value());
      if (orig) {
        EXPECT_LT(std::abs(back.reference_time_us + *got - *orig), 250);
      }
    }
  }
  EXPECT_EQ(covered, a.size());
}

TEST(TransportFeedback, RandomBytesNeverCrash) {
  std::mt19937 rng(205);
  Bytes valid;
  write_transport_feedback(make(5, 64'000, {250, {}, 90'000, -1'000, {}, 500}), valid);
  for (int i = 0; i < 5000; ++i) {
    Bytes data;
    if (i % 2) {
      data.resize(rng() % 80);
      for (uint8_t& b : data) b = uint8_t(rng());
    } else {
      data = valid;
      for (int k = 0; k < 1 + int(rng() % 4); ++k) data[rng() % data.size()] = uint8_t(rng());
      if (rng() % 4 == 0) data.resize(rng() % data.size());
    }
    auto fb = parse_transport_feedback(data);
    if (fb.ok()) {
      // Whatever parses writes and parses back the same.
      expect_same(round_trip(*fb), *fb);
    }
    // And via the compound parser with a valid-looking header.
    Bytes rtcp = {0x8f, 205, 0, 0};
    rtcp.insert(rtcp.end(), data.begin(), data.end());
    while (rtcp.size() % 4) rtcp.push_back(0);
    rtcp[3] = uint8_t(rtcp.size() / 4 - 1);
    (void)parse_rtcp_compound(rtcp);
  }
}
