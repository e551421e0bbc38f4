// Untrusted input must never crash a parser: random bytes, and valid packets
// with random corruption (which reach much deeper than pure noise).
#include <gtest/gtest.h>

#include <random>

#include "rtp/rtcp_packet.hpp"
#include "rtp/rtp_packet.hpp"

using namespace peercall;

namespace {

constexpr int kIterations = 10'000;

Bytes random_bytes(std::mt19937& rng, size_t max_len) {
  std::uniform_int_distribution<size_t> len_dist(0, max_len);
  std::uniform_int_distribution<int> byte_dist(0, 255);
  Bytes out(len_dist(rng));
  for (uint8_t& b : out) b = uint8_t(byte_dist(rng));
  return out;
}

// Flips a few random bytes and sometimes cuts the tail.
Bytes corrupt(Bytes data, std::mt19937& rng) {
  if (data.empty()) return data;
  std::uniform_int_distribution<size_t> pos(0, data.size() - 1);
  std::uniform_int_distribution<int> byte_dist(0, 255);
  const int flips = 1 + int(rng() % 4);
  for (int i = 0; i < flips; ++i) data[pos(rng)] = uint8_t(byte_dist(rng));
  if (rng() % 4 == 0) data.resize(pos(rng));
  return data;
}

void check_rtp(const Bytes& datagram) {
  auto parsed = parse_rtp(datagram);
  if (!parsed.ok()) return;
  // A parsed payload must lie inside the datagram.
  const uint8_t* begin = datagram.data();
  ASSERT_GE(parsed->payload.data(), begin);
  ASSERT_LE(parsed->payload.data() + parsed->payload.size(), begin + datagram.size());
  ASSERT_LE(parsed->header.csrcs.size(), kRtpMaxCsrcs);
}

void check_rtcp(const Bytes& datagram) {
  auto parsed = parse_rtcp_compound(datagram);
  if (!parsed.ok()) return;
  // Whatever parsed must build into something that parses again.
  ASSERT_TRUE(parse_rtcp_compound(write_rtcp_compound(*parsed)).ok() || parsed->empty());
}

}  // namespace

TEST(RandomInput, RandomBytesNeverCrashParsers) {
  std::mt19937 rng(20240611);
  for (int i = 0; i < kIterations; ++i) {
    Bytes data = random_bytes(rng, 256);
    // Half the time force version 2 so the parsers get past the first check.
    if (!data.empty() && i % 2) data[0] = uint8_t((data[0] & 0x3f) | 0x80);
    check_rtp(data);
    check_rtcp(data);
    (void)is_rtcp(data);
  }
}

TEST(RandomInput, CorruptedValidPacketsNeverCrashParsers) {
  std::mt19937 rng(7);
  RtpHeader h;
  h.payload_type = 96;
  h.csrcs = {1, 2, 3};
  Bytes rtp;
  write_rtp(h, Bytes(40, 0x55), rtp);
  rtp[0] |= 0x30;  // claim extension and padding so corruption exercises both paths

  SenderReport sr{1, 2, 3, 4, 5, {ReportBlock{}, ReportBlock{}}};
  const Bytes rtcp = write_rtcp_compound(
      {sr, ReceiverReport{1, {ReportBlock{}}}, SourceDescription{1, "cname@peer"},
       GenericNack{1, 2, {1, 2, 3, 50}}, PictureLossIndication{1, 2}, Bye{{1, 2}}});

  int rtcp_ok = 0;
  for (int i = 0; i < kIterations; ++i) {
    check_rtp(corrupt(rtp, rng));
    const Bytes bad = corrupt(rtcp, rng);
    check_rtcp(bad);
    rtcp_ok += parse_rtcp_compound(bad).ok();
  }
  // Some corruptions only touch values, so parsing must still succeed sometimes
  // (guards against a parser that rejects everything).
  EXPECT_GT(rtcp_ok, 0);
  EXPECT_LT(rtcp_ok, kIterations);
}
