#include "packet/h264_packetizer.hpp"

#include <gtest/gtest.h>

#include "packet/h264_nal.hpp"
#include "synthetic_h264.hpp"

using namespace peercall;
using peercall::test::SyntheticH264;

namespace {

H264NalType payload_type(const Bytes& p) { return h264_nal_type(p.at(0)); }

// Reassembles the NAL units a packet sequence carries (a tiny reference
// depacketizer, independent of H264Depacketizer).
std::vector<Bytes> nals_of(const std::vector<Bytes>& packets) {
  std::vector<Bytes> nals;
  for (const Bytes& p : packets) {
    switch (payload_type(p)) {
      case H264NalType::kStapA:
        for (size_t i = 1; i + 2 <= p.size();) {
          const size_t n = size_t(p[i]) << 8 | p[i + 1];
          nals.emplace_back(p.begin() + i + 2, p.begin() + i + 2 + n);
          i += 2 + n;
        }
        break;
      case H264NalType::kFuA:
        if (p[1] & kH264FuStart) nals.push_back({uint8_t((p[0] & 0xE0) | (p[1] & 0x1F))});
        nals.back().insert(nals.back().end(), p.begin() + 2, p.end());
        break;
      default:
        nals.push_back(p);
    }
  }
  return nals;
}

Bytes annexb_of(const std::vector<Bytes>& nals) {
  Bytes out;
  for (const Bytes& n : nals) append_annexb_nal(out, n);
  return out;
}

}  // namespace

TEST(H264Packetizer, KeyframeAggregatesParameterSetsAndFragmentsIdr) {
  SyntheticH264 gen(1);
  const auto au = gen.keyframe(50'000);
  const auto packets = H264Packetizer(1200).packetize(au.annexb);

  // STAP-A(SPS, PPS, SEI) then FU-A fragments of the IDR; the AUD is gone.
  ASSERT_GE(packets.size(), 2u);
  EXPECT_EQ(payload_type(packets[0]), H264NalType::kStapA);
  EXPECT_EQ(packets[0][0] & kH264NriMask, 0x60);
  EXPECT_EQ(packets[0].size(), 1u + (2 + 14) + (2 + 5) + (2 + 30));
  const size_t fragments = (50'000 - 1 + 1198 - 1) / 1198;
  ASSERT_EQ(packets.size(), 1 + fragments);
  for (size_t i = 1; i < packets.size(); ++i) {
    EXPECT_EQ(payload_type(packets[i]), H264NalType::kFuA);
    EXPECT_EQ(packets[i][1] & 0x1F, 5);
    EXPECT_EQ(bool(packets[i][1] & kH264FuStart), i == 1);
    EXPECT_EQ(bool(packets[i][1] & kH264FuEnd), i + 1 == packets.size());
    EXPECT_LE(packets[i].size(), 1200u);
  }
  EXPECT_EQ(annexb_of(nals_of(packets)), au.expected);
}

TEST(H264Packetizer, MidSizedNalsTravelAsSingleNalUnits) {
  SyntheticH264 gen(2);
  const auto au = gen.delta_frame(3, 800);
  const auto packets = H264Packetizer(1200).packetize(au.annexb);
  ASSERT_EQ(packets.size(), 3u);
  const auto nals = split_annexb(au.expected);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(payload_type(packets[i]), H264NalType::kSlice);
    EXPECT_EQ(packets[i], Bytes(nals[i].begin(), nals[i].end()));
  }
}

TEST(H264Packetizer, TinyNalsShareStapAsUpToTheLimit) {
  SyntheticH264 gen(3);
  const auto au = gen.delta_frame(40, 50);  // 40 * 52 bytes: two STAP-As at 1200
  const auto packets = H264Packetizer(1200).packetize(au.annexb);
  ASSERT_EQ(packets.size(), 2u);
  for (const Bytes& p : packets) {
    EXPECT_EQ(payload_type(p), H264NalType::kStapA);
    EXPECT_LE(p.size(), 1200u);
  }
  EXPECT_EQ(annexb_of(nals_of(packets)), au.expected);
}

TEST(H264Packetizer, NoPayloadExceedsMaxPayload) {
  for (size_t max_payload : {3u, 100u, 1200u}) {
    SyntheticH264 gen(4);
    const H264Packetizer packetizer(max_payload);
    for (const auto& au : {gen.keyframe(50'000), gen.delta_frame(5, 3000), gen.delta_frame(7, 99),
                           gen.delta_frame(3, 101), gen.delta_frame(1, 1)}) {
      const auto packets = packetizer.packetize(au.annexb);
      for (const Bytes& p : packets) {
        EXPECT_LE(p.size(), max_payload);
        // Never a whole NAL in one FU-A.
        if (payload_type(p) == H264NalType::kFuA) {
          EXPECT_NE(p[1] & 0xC0, 0xC0);
        }
      }
      EXPECT_EQ(annexb_of(nals_of(packets)), au.expected) << "max_payload " << max_payload;
    }
  }
}

TEST(H264Packetizer, ClampsTinyMaxPayload) {
  EXPECT_EQ(H264Packetizer(0).max_payload(), H264Packetizer::kMinPayload);
  EXPECT_EQ(H264Packetizer(1'000'000).max_payload(), H264Packetizer::kMaxPayload);
}

TEST(H264Packetizer, DropsAudAndTypesThatCannotTravelAlone) {
  const Bytes au{0, 0, 0, 1, 0x09, 0xF0,  // AUD
                 0, 0, 1, 0x7C, 0x85,     // an FU-A header masquerading as a NAL
                 0, 0, 1, 0x00, 0x11,     // type 0
                 0, 0, 1, 0x41, 0x9A};    // a real slice
  const auto packets = H264Packetizer(1200).packetize(au);
  ASSERT_EQ(packets.size(), 1u);
  EXPECT_EQ(packets[0], (Bytes{0x41, 0x9A}));
  EXPECT_TRUE(H264Packetizer(1200).packetize(Bytes{}).empty());
  EXPECT_TRUE(H264Packetizer(1200).packetize(Bytes{0, 0, 1, 0x09, 0x10}).empty());
}
