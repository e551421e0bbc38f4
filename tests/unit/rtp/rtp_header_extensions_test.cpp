#include "rtp/rtp_header_extensions.hpp"

#include <gtest/gtest.h>

#include <random>

using namespace peercall;

namespace {

// Real captures of Chrome RTP packets (payload cut), from the test data of
// github.com/olivermichel/webrtc-analysis, test/include/data.h (rtp_pkt1 and
// rtp_pkt3), as decoded there by Wireshark.
// One-byte form: id 2 abs-send-time f34350, id 4 transport seq 0x009b,
// id 13 (3 bytes), then one padding byte.
const Bytes kChromeOneByte = {0x90, 0x2d, 0x1a, 0x5f, 0xd4, 0x09, 0x05, 0x49, 0xf7, 0xb1,
                              0x6e, 0x83, 0xbe, 0xde, 0x00, 0x03, 0x22, 0xf3, 0x43, 0x50,
                              0x41, 0x00, 0x9b, 0xd2, 0x81, 0x00, 0x45, 0x00};
// Two-byte form (profile 0x1000): ids 2, 4, 9, 3, 6, 7 (13 bytes), 13 (33 bytes).
const Bytes kChromeTwoByte = {
    0x90, 0x2d, 0x61, 0xc5, 0x95, 0x0a, 0x0f, 0xee, 0x8d, 0x38, 0x14, 0xe5, 0x10, 0x00,
    0x00, 0x11, 0x02, 0x03, 0x03, 0xf7, 0xae, 0x04, 0x02, 0x00, 0x02, 0x09, 0x01, 0x30,
    0x03, 0x01, 0x00, 0x06, 0x01, 0x02, 0x07, 0x0d, 0x01, 0x00, 0x01, 0x00, 0x07, 0x00,
    0x07, 0x00, 0x0a, 0x00, 0x00, 0x00, 0x00, 0x0d, 0x21, 0xc0, 0x00, 0x01, 0x80, 0x03,
    0x18, 0x7a, 0xaa, 0xf1, 0x30, 0xa0, 0xa0, 0x14, 0xd1, 0x41, 0x38, 0x23, 0x04, 0x60,
    0x08, 0x64, 0x22, 0x22, 0x26, 0x50, 0x09, 0xf0, 0x07, 0x70, 0x13, 0xf0, 0x0e, 0xf0};

RtpHeader sample_header() {
  RtpHeader h;
  h.marker = true;
  h.payload_type = 96;
  h.sequence_number = 0x1234;
  h.timestamp = 0xdeadbeef;
  h.ssrc = 0x01020304;
  return h;
}

Bytes rewrite(const Bytes& datagram) {
  auto view = parse_rtp(datagram);
  EXPECT_TRUE(view.ok()) << view.error();
  auto ext = parse_rtp_header_extensions(datagram);
  EXPECT_TRUE(ext.ok()) << ext.error();
  Bytes out;
  write_rtp_with_extensions(view->header, *ext, view->payload, out);
  return out;
}

}  // namespace

TEST(RtpHeaderExtensions, ParsesChromeOneByteCapture) {
  auto ext = parse_rtp_header_extensions(kChromeOneByte);
  ASSERT_TRUE(ext.ok()) << ext.error();
  ASSERT_EQ(ext->size(), 3u);
  EXPECT_EQ((*ext)[0].id, 2);
  EXPECT_EQ(decode_abs_send_time((*ext)[0].data), 0xf34350u);
  EXPECT_EQ((*ext)[1].id, 4);
  EXPECT_EQ(decode_transport_sequence((*ext)[1].data), 0x009b);
  EXPECT_EQ((*ext)[2].id, 13);
  EXPECT_EQ((*ext)[2].data.size(), 3u);
  EXPECT_EQ(read_transport_sequence(kChromeOneByte, 4), 0x009b);
  EXPECT_EQ(read_transport_sequence(kChromeOneByte, 5), std::nullopt);
}

TEST(RtpHeaderExtensions, ParsesChromeTwoByteCapture) {
  auto ext = parse_rtp_header_extensions(kChromeTwoByte);
  ASSERT_TRUE(ext.ok()) << ext.error();
  ASSERT_EQ(ext->size(), 7u);
  const uint8_t ids[] = {2, 4, 9, 3, 6, 7, 13};
  const size_t sizes[] = {3, 2, 1, 1, 1, 13, 33};
  for (size_t i = 0; i < 7; ++i) {
    EXPECT_EQ((*ext)[i].id, ids[i]);
    EXPECT_EQ((*ext)[i].data.size(), sizes[i]);
  }
  EXPECT_EQ(read_transport_sequence(kChromeTwoByte, 4), 2);
}

TEST(RtpHeaderExtensions, RewritingCapturesIsByteExact) {
  // Our writer picks the same form and layout Chrome did.
  EXPECT_EQ(rewrite(kChromeOneByte), kChromeOneByte);
  EXPECT_EQ(rewrite(kChromeTwoByte), kChromeTwoByte);
}

TEST(RtpHeaderExtensions, OneByteRoundTripKeepsPayloadAndCsrcs) {
  RtpHeader h = sample_header();
  h.csrcs = {7, 8};
  const auto seq = encode_transport_sequence(0xabcd);
  const uint8_t sixteen[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
  const Bytes payload = {0xaa, 0xbb, 0xcc};
  Bytes out;
  write_rtp_with_extensions(h, {{3, seq}, {14, sixteen}}, payload, out);
  ASSERT_EQ(out[12 + 8], 0xbe);  // after the fixed header and 2 CSRCs
  ASSERT_EQ(out[12 + 9], 0xde);

  auto view = parse_rtp(out);
  ASSERT_TRUE(view.ok()) << view.error();
  EXPECT_EQ(view->header.csrcs, h.csrcs);
  EXPECT_EQ(view->header.sequence_number, 0x1234);
  EXPECT_EQ(Bytes(view->payload.begin(), view->payload.end()), payload);
  auto ext = parse_rtp_header_extensions(out);
  ASSERT_TRUE(ext.ok()) << ext.error();
  ASSERT_EQ(ext->size(), 2u);
  EXPECT_EQ(decode_transport_sequence((*ext)[0].data), 0xabcd);
  EXPECT_EQ((*ext)[1].id, 14);
  EXPECT_EQ(Bytes((*ext)[1].data.begin(), (*ext)[1].data.end()),
            Bytes(std::begin(sixteen), std::end(sixteen)));
}

TEST(RtpHeaderExtensions, TwoByteFormWhenAnElementDoesNotFitOneByte) {
  const uint8_t seventeen[17] = {};
  const uint8_t one[1] = {0x42};
  const auto seq = encode_transport_sequence(7);
  for (const auto& [exts, why] :
       std::vector<std::pair<std::vector<HeaderExtension>, const char*>>{
           {{{1, seq}, {2, seventeen}}, "17 bytes"},
           {{{15, one}}, "id 15"},
           {{{200, one}, {1, seq}}, "id 200"},
           {{{1, seq}, {5, ByteView{}}}, "empty data"}}) {
    Bytes out;
    write_rtp_with_extensions(sample_header(), exts, {}, out);
    ASSERT_EQ(out[12], 0x10) << why;
    ASSERT_EQ(out[13] & 0xf0, 0x00) << why;
    auto ext = parse_rtp_header_extensions(out);
    ASSERT_TRUE(ext.ok()) << why << ": " << ext.error();
    ASSERT_EQ(ext->size(), exts.size()) << why;
    for (size_t i = 0; i < exts.size(); ++i) {
      EXPECT_EQ((*ext)[i].id, exts[i].id) << why;
      EXPECT_EQ((*ext)[i].data.size(), exts[i].data.size()) << why;
    }
  }
}

TEST(RtpHeaderExtensions, NoElementsMeansNoBlock) {
  Bytes with, without;
  write_rtp_with_extensions(sample_header(), {}, Bytes{1, 2}, with);
  write_rtp(sample_header(), Bytes{1, 2}, without);
  EXPECT_EQ(with, without);
  auto ext = parse_rtp_header_extensions(with);
  ASSERT_TRUE(ext.ok());
  EXPECT_TRUE(ext->empty());
}

TEST(RtpHeaderExtensions, SetInPlaceOverwritesOnlyMatchingSize) {
  const auto seq = encode_transport_sequence(0);
  const auto abs = encode_abs_send_time(Instant{});
  Bytes packet;
  write_rtp_with_extensions(sample_header(), {{2, abs}, {4, seq}}, Bytes{9, 9, 9}, packet);
  const Bytes before = packet;
  EXPECT_TRUE(set_extension_in_place(packet, 4, encode_transport_sequence(0xbeef)));
  EXPECT_EQ(read_transport_sequence(packet, 4), 0xbeef);
  EXPECT_EQ(packet.size(), before.size());
  EXPECT_FALSE(set_extension_in_place(packet, 4, Bytes{1, 2, 3}));  // wrong size
  EXPECT_FALSE(set_extension_in_place(packet, 6, seq));            // absent
  EXPECT_EQ(read_transport_sequence(packet, 4), 0xbeef);
  auto view = parse_rtp(packet);
  ASSERT_TRUE(view.ok());
  EXPECT_EQ(Bytes(view->payload.begin(), view->payload.end()), (Bytes{9, 9, 9}));
  Bytes plain;
  write_rtp(sample_header(), {}, plain);
  EXPECT_FALSE(set_extension_in_place(plain, 4, seq));
}

TEST(RtpHeaderExtensions, MalformedBlocksAreRejected) {
  // Header with X bit, then the given extension block.
  const auto with_block = [](Bytes block) {
    Bytes p;
    write_rtp(sample_header(), {}, p);
    p[0] |= 0x10;
    p.insert(p.end(), block.begin(), block.end());
    return p;
  };
  // Block length (2 words) overruns the datagram.
  EXPECT_FALSE(parse_rtp_header_extensions(with_block({0xbe, 0xde, 0x00, 0x02, 0x10, 0, 0, 0})).ok());
  // One-byte element of 4 bytes (L=3) in a 4-byte block: overruns.
  EXPECT_FALSE(parse_rtp_header_extensions(with_block({0xbe, 0xde, 0x00, 0x01, 0x13, 1, 2, 3})).ok());
  // Two-byte element claims 5 bytes, 2 present.
  EXPECT_FALSE(parse_rtp_header_extensions(with_block({0x10, 0x00, 0x00, 0x01, 0x01, 0x05, 1, 2})).ok());
  // Two-byte element header cut after its id.
  EXPECT_FALSE(parse_rtp_header_extensions(with_block({0x10, 0x00, 0x00, 0x01, 0, 0, 0, 0x07})).ok());
  // Truncated block header.
  EXPECT_FALSE(parse_rtp_header_extensions(with_block({0xbe, 0xde, 0x00})).ok());
  // Bad version.
  Bytes v1 = with_block({0xbe, 0xde, 0x00, 0x00});
  v1[0] = uint8_t((v1[0] & 0x3f) | 0x40);
  EXPECT_FALSE(parse_rtp_header_extensions(v1).ok());
}

TEST(RtpHeaderExtensions, PaddingSkippedAndIdFifteenStops) {
  const auto with_block = [](Bytes block) {
    Bytes p;
    write_rtp(sample_header(), {}, p);
    p[0] |= 0x10;
    p.insert(p.end(), block.begin(), block.end());
    return p;
  };
  // The views point into the datagram, so it must outlive them.
  const Bytes padded =
      with_block({0xbe, 0xde, 0x00, 0x02, 0x00, 0x00, 0x31, 0x12, 0x34, 0xf5, 0xff, 0xff});
  auto ext = parse_rtp_header_extensions(padded);
  ASSERT_TRUE(ext.ok()) << ext.error();
  ASSERT_EQ(ext->size(), 1u);
  EXPECT_EQ((*ext)[0].id, 3);
  EXPECT_EQ(decode_transport_sequence((*ext)[0].data), 0x1234);
  // Another profile: not RFC 8285, no elements.
  const Bytes other_profile = with_block({0x12, 0x34, 0x00, 0x01, 0x31, 0x12, 0x34, 0});
  ext = parse_rtp_header_extensions(other_profile);
  ASSERT_TRUE(ext.ok());
  EXPECT_TRUE(ext->empty());
  // Two-byte padding between elements.
  const Bytes two_byte =
      with_block({0x10, 0x05, 0x00, 0x02, 0x00, 0x09, 0x02, 0xab, 0xcd, 0x00, 0x00, 0x00});
  ext = parse_rtp_header_extensions(two_byte);
  ASSERT_TRUE(ext.ok()) << ext.error();
  ASSERT_EQ(ext->size(), 1u);
  EXPECT_EQ((*ext)[0].id, 9);
}

TEST(RtpHeaderExtensions, AbsSendTimeIsSixPointEighteenSeconds) {
  EXPECT_EQ(abs_send_time_24(Instant{}), 0u);
  EXPECT_EQ(abs_send_time_24(instant_from_micros(1'000'000)), 1u << 18);
  EXPECT_EQ(abs_send_time_24(instant_from_micros(500'000)), 1u << 17);
  EXPECT_EQ(abs_send_time_24(instant_from_micros(64'000'000)), 0u);  // wraps every 64 s
  EXPECT_EQ(abs_send_time_24(instant_from_micros(65'250'000)), (1u << 18) + (1u << 16));
  // Far from the epoch the value still only wraps, never overflows.
  const int64_t big = int64_t(1) << 50;
  const uint32_t a = abs_send_time_24(instant_from_micros(big));
  const uint32_t b = abs_send_time_24(instant_from_micros(big + 1'000'000));
  EXPECT_EQ((b - a) & 0xffffff, 1u << 18);
  const auto enc = encode_abs_send_time(instant_from_micros(1'500'000));
  EXPECT_EQ(decode_abs_send_time(enc), (1u << 18) + (1u << 17));
  EXPECT_EQ(decode_abs_send_time(Bytes{1, 2}), std::nullopt);
}

TEST(RtpHeaderExtensions, RandomBytesNeverCrash) {
  std::mt19937 rng(8285);
  for (int i = 0; i < 5000; ++i) {
    Bytes data(rng() % 64);
    for (uint8_t& b : data) b = uint8_t(rng());
    if (data.size() > 0) data[0] = uint8_t((data[0] & 0x2f) | 0x90);  // v2 + X bit
    if (data.size() > 13 && i % 2) {
      data[12] = i % 4 ? 0xbe : 0x10;
      data[13] = i % 4 ? 0xde : 0x00;
    }
    auto ext = parse_rtp_header_extensions(data);
    if (ext.ok()) {
      for (const HeaderExtension& e : *ext) {
        ASSERT_GE(e.data.data(), data.data());
        ASSERT_LE(e.data.data() + e.data.size(), data.data() + data.size());
      }
    }
    Bytes copy = data;
    set_extension_in_place(copy, uint8_t(rng() % 16), encode_transport_sequence(1));
  }
}
