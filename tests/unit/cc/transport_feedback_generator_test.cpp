#include "cc/transport_feedback_generator.hpp"

#include <gtest/gtest.h>

using namespace peercall;

namespace {

const Instant kT0 = instant_from_micros(10'000'000);

Instant at_ms(double ms) { return kT0 + microseconds(int64_t(ms * 1000)); }

// Received (true) / lost (false) per status of one feedback.
std::vector<bool> received_flags(const TransportFeedback& fb) {
  std::vector<bool> out;
  for (const auto& s : fb.statuses) out.push_back(s.received());
  return out;
}

// Arrival of status i on the receiver's clock, in microseconds.
int64_t arrival_us(const TransportFeedback& fb, size_t i) {
  return fb.reference_time_us + *fb.statuses[i].arrival_offset_us;
}

}  // namespace

TEST(TransportFeedbackGenerator, EmitsEveryIntervalCoveringEachSequenceOnce) {
  TransportFeedbackGenerator gen({.sender_ssrc = 1, .media_ssrc = 2});
  EXPECT_EQ(gen.next_timeout(), std::nullopt);
  for (int i = 0; i < 10; ++i) gen.on_packet(uint16_t(100 + i), at_ms(i));
  ASSERT_TRUE(gen.next_timeout());
  EXPECT_EQ(*gen.next_timeout(), at_ms(50));
  EXPECT_TRUE(gen.poll(at_ms(20)).empty());
  auto fbs = gen.poll(at_ms(50));
  ASSERT_EQ(fbs.size(), 1u);
  EXPECT_EQ(fbs[0].sender_ssrc, 1u);
  EXPECT_EQ(fbs[0].media_ssrc, 2u);
  EXPECT_EQ(fbs[0].base_sequence, 100);
  EXPECT_EQ(received_flags(fbs[0]), std::vector<bool>(10, true));
  for (size_t i = 0; i < 10; ++i) EXPECT_EQ(arrival_us(fbs[0], i), to_micros(at_ms(double(i))));
  EXPECT_EQ(gen.next_timeout(), std::nullopt);
  EXPECT_TRUE(gen.poll(at_ms(200)).empty());

  // The next feedback starts where the last ended, one interval later.
  gen.on_packet(110, at_ms(60));
  gen.on_packet(111, at_ms(61));
  EXPECT_EQ(*gen.next_timeout(), at_ms(100));
  EXPECT_TRUE(gen.poll(at_ms(99)).empty());
  fbs = gen.poll(at_ms(100));
  ASSERT_EQ(fbs.size(), 1u);
  EXPECT_EQ(fbs[0].base_sequence, 110);
  EXPECT_EQ(fbs[0].statuses.size(), 2u);
  EXPECT_EQ(fbs[0].feedback_count, 1);
}

TEST(TransportFeedbackGenerator, GapsAreReportedLost) {
  TransportFeedbackGenerator gen;
  for (uint16_t seq : {0, 1, 3, 6}) gen.on_packet(seq, at_ms(seq));
  auto fbs = gen.poll(at_ms(100));
  ASSERT_EQ(fbs.size(), 1u);
  EXPECT_EQ(received_flags(fbs[0]),
            (std::vector<bool>{true, true, false, true, false, false, true}));
}

TEST(TransportFeedbackGenerator, ManyPendingPacketsAreDueAtOnce) {
  TransportFeedbackGenerator gen;
  for (int i = 0; i < 99; ++i) gen.on_packet(uint16_t(i), at_ms(i * 0.1));
  EXPECT_EQ(*gen.next_timeout(), at_ms(50));
  gen.on_packet(99, at_ms(9.9));
  ASSERT_TRUE(gen.next_timeout());
  EXPECT_LE(*gen.next_timeout(), at_ms(9.9));
  auto fbs = gen.poll(at_ms(9.9));
  ASSERT_EQ(fbs.size(), 1u);
  EXPECT_EQ(fbs[0].statuses.size(), 100u);
}

TEST(TransportFeedbackGenerator, ReorderingWithinAnIntervalIsInvisible) {
  TransportFeedbackGenerator gen;
  gen.on_packet(0, at_ms(0));
  gen.on_packet(2, at_ms(1));
  gen.on_packet(1, at_ms(2));
  auto fbs = gen.poll(at_ms(60));
  ASSERT_EQ(fbs.size(), 1u);
  EXPECT_EQ(received_flags(fbs[0]), std::vector<bool>(3, true));
  EXPECT_EQ(arrival_us(fbs[0], 1), to_micros(at_ms(2)));
  EXPECT_EQ(arrival_us(fbs[0], 2), to_micros(at_ms(1)));  // a negative delta
}

TEST(TransportFeedbackGenerator, LateArrivalAfterItsFeedbackIsDropped) {
  TransportFeedbackGenerator gen;
  gen.on_packet(0, at_ms(0));
  gen.on_packet(2, at_ms(1));
  auto fbs = gen.poll(at_ms(50));
  ASSERT_EQ(fbs.size(), 1u);
  EXPECT_EQ(received_flags(fbs[0]), (std::vector<bool>{true, false, true}));
  gen.on_packet(1, at_ms(55));  // too late: already reported lost
  EXPECT_EQ(gen.late_packets(), 1u);
  EXPECT_EQ(gen.next_timeout(), std::nullopt);
  gen.on_packet(3, at_ms(60));
  fbs = gen.poll(at_ms(100));
  ASSERT_EQ(fbs.size(), 1u);
  EXPECT_EQ(fbs[0].base_sequence, 3);
  EXPECT_EQ(fbs[0].statuses.size(), 1u);
}

TEST(TransportFeedbackGenerator, DuplicatesKeepTheFirstArrival) {
  TransportFeedbackGenerator gen;
  gen.on_packet(5, at_ms(1));
  gen.on_packet(5, at_ms(3));
  auto fbs = gen.poll(at_ms(60));
  ASSERT_EQ(fbs.size(), 1u);
  ASSERT_EQ(fbs[0].statuses.size(), 1u);
  EXPECT_EQ(arrival_us(fbs[0], 0), to_micros(at_ms(1)));
}

TEST(TransportFeedbackGenerator, SequenceWrapsAround) {
  TransportFeedbackGenerator gen;
  for (int i = 0; i < 12; ++i) gen.on_packet(uint16_t(65530 + i), at_ms(i));
  auto fbs = gen.poll(at_ms(60));
  ASSERT_EQ(fbs.size(), 1u);
  EXPECT_EQ(fbs[0].base_sequence, 65530);
  EXPECT_EQ(received_flags(fbs[0]), std::vector<bool>(12, true));
  EXPECT_EQ(fbs[0].sequence_at(11), 5);
}

TEST(TransportFeedbackGenerator, HugeJumpStartsAfresh) {
  TransportFeedbackGenerator gen;
  for (int i = 0; i < 5; ++i) gen.on_packet(uint16_t(i), at_ms(i));
  gen.on_packet(20000, at_ms(6));  // the sender restarted its numbering
  gen.on_packet(20001, at_ms(7));
  EXPECT_EQ(gen.restarts(), 1u);
  ASSERT_TRUE(gen.next_timeout());
  EXPECT_LE(*gen.next_timeout(), at_ms(7));  // the old run is flushed at once
  auto fbs = gen.poll(at_ms(7));
  ASSERT_EQ(fbs.size(), 1u);
  EXPECT_EQ(fbs[0].base_sequence, 0);
  EXPECT_EQ(fbs[0].statuses.size(), 5u);
  fbs = gen.poll(at_ms(60));
  ASSERT_EQ(fbs.size(), 1u);
  EXPECT_EQ(fbs[0].base_sequence, 20000);
  EXPECT_EQ(received_flags(fbs[0]), std::vector<bool>(2, true));
  // Backwards by more than the jump limit also starts afresh.
  gen.on_packet(5000, at_ms(70));
  EXPECT_EQ(gen.restarts(), 2u);
  fbs = gen.poll(at_ms(200));
  ASSERT_EQ(fbs.size(), 1u);
  EXPECT_EQ(fbs[0].base_sequence, 5000);
  EXPECT_EQ(fbs[0].statuses.size(), 1u);
}

TEST(TransportFeedbackGenerator, LongSilenceSplitsOnLargeDelta) {
  TransportFeedbackGenerator gen;
  gen.on_packet(0, at_ms(0));
  gen.on_packet(1, at_ms(9000));  // > 8191.75 ms after the previous one
  auto fbs = gen.poll(at_ms(9000));
  ASSERT_EQ(fbs.size(), 2u);
  EXPECT_EQ(fbs[0].base_sequence, 0);
  EXPECT_EQ(fbs[1].base_sequence, 1);
  EXPECT_EQ(uint8_t(fbs[1].feedback_count - fbs[0].feedback_count), 1);
  EXPECT_EQ(arrival_us(fbs[1], 0), to_micros(at_ms(9000)));
}

TEST(TransportFeedbackGenerator, ReorderingBeforeTheFirstFeedbackExtendsBackwards) {
  TransportFeedbackGenerator gen;
  gen.on_packet(5, at_ms(0));
  gen.on_packet(3, at_ms(1));  // nothing reported yet: the range starts at 3
  auto fbs = gen.poll(at_ms(60));
  ASSERT_EQ(fbs.size(), 1u);
  EXPECT_EQ(fbs[0].base_sequence, 3);
  EXPECT_EQ(received_flags(fbs[0]), (std::vector<bool>{true, false, true}));
  EXPECT_EQ(gen.late_packets(), 0u);
}
