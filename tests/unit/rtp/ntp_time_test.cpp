#include "rtp/ntp_time.hpp"

#include <gtest/gtest.h>

using namespace peercall;

namespace {
Instant at(Duration since_epoch) { return Instant(since_epoch); }

// The block a peer sends back for our SR sent at t_sr that it held for `held`.
ReportBlock block_for_sr(Instant t_sr, Duration held) {
  ReportBlock block;
  block.last_sr = compact_ntp(instant_to_ntp(t_sr));
  block.delay_since_last_sr = duration_to_compact_ntp(held);
  return block;
}
}  // namespace

TEST(NtpTime, SecondsHighFractionLow) {
  EXPECT_EQ(instant_to_ntp(at(seconds(5) + milliseconds(500))), (uint64_t(5) << 32) | 0x80000000u);
  EXPECT_EQ(instant_to_ntp(at(seconds(7) + milliseconds(250))), (uint64_t(7) << 32) | 0x40000000u);
  EXPECT_EQ(instant_to_ntp(at(seconds(0))), 0u);
  EXPECT_EQ(instant_to_ntp(at(-seconds(3))), 0u);  // before the epoch clamps
}

TEST(NtpTime, RoundTripsToTheNanosecond) {
  for (int64_t ns : {int64_t(1), int64_t(999'999'999), int64_t(123'456'789'012),
                     int64_t(86'400) * 1'000'000'000 * 365 + 17}) {
    const Instant t = at(std::chrono::duration_cast<Duration>(std::chrono::nanoseconds(ns)));
    EXPECT_EQ(ntp_to_instant(instant_to_ntp(t)), t) << ns;
  }
}

TEST(NtpTime, CompactIsTheMiddle32Bits) {
  EXPECT_EQ(compact_ntp(0x0102030405060708), 0x03040506u);
  EXPECT_EQ(compact_ntp(instant_to_ntp(at(seconds(2) + milliseconds(500)))), 0x00028000u);
}

TEST(NtpTime, CompactDurations) {
  EXPECT_EQ(duration_to_compact_ntp(seconds(1)), 65536u);
  EXPECT_EQ(duration_to_compact_ntp(milliseconds(500)), 32768u);
  EXPECT_EQ(duration_to_compact_ntp(-milliseconds(5)), 0u);
  EXPECT_EQ(duration_to_compact_ntp(seconds(100'000)), 0xffffffffu);
  EXPECT_EQ(compact_ntp_to_duration(65536 * 3), seconds(3));
  EXPECT_EQ(compact_ntp_to_duration(16384), milliseconds(250));
}

TEST(NtpTime, RoundTripTimeFromLsrAndDlsr) {
  // The peer's SR leaves us at t_sr, reaches the peer 20 ms later, the peer holds
  // it 300 ms before its RR, which takes 20 ms back: RTT is 40 ms.
  const Instant t_sr = at(seconds(100) + milliseconds(250));
  const auto rtt = round_trip_time(block_for_sr(t_sr, milliseconds(300)), t_sr + milliseconds(340));
  ASSERT_TRUE(rtt.has_value());
  EXPECT_NEAR(to_micros(*rtt), 40'000, 50);  // compact NTP resolution is ~15 us
}

TEST(NtpTime, RoundTripTimeAcrossCompactWrap) {
  // Compact NTP wraps every 65536 s; the SR is sent just before, the RR arrives after.
  const Instant t_sr = at(seconds(65535) + milliseconds(900));
  const auto rtt = round_trip_time(block_for_sr(t_sr, milliseconds(200)), t_sr + milliseconds(300));
  ASSERT_TRUE(rtt.has_value());
  EXPECT_NEAR(to_micros(*rtt), 100'000, 50);
}

TEST(NtpTime, RoundTripTimeUnavailable) {
  EXPECT_FALSE(round_trip_time(ReportBlock{}, at(seconds(10))).has_value());  // LSR 0: no SR seen
  const Instant t_sr = at(seconds(10));
  EXPECT_FALSE(round_trip_time(block_for_sr(t_sr, seconds(2)), t_sr + seconds(1)).has_value());  // negative
}
