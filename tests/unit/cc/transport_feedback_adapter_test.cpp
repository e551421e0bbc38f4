#include "cc/transport_feedback_adapter.hpp"

#include <gtest/gtest.h>

using namespace peercall;

namespace {

const Instant kSendT0 = instant_from_micros(50'000'000);

Instant sent_at(int i) { return kSendT0 + milliseconds(i); }

TransportFeedback feedback(uint16_t base, int64_t reference_units,
                           std::vector<std::optional<int64_t>> offsets, uint8_t count = 0) {
  TransportFeedback fb;
  fb.base_sequence = base;
  fb.reference_time_us = reference_units * kTransportFeedbackReferenceUnitUs;
  fb.feedback_count = count;
  for (const auto& o : offsets) fb.statuses.push_back({o});
  return fb;
}

int64_t arrival_us(const PacketResult& r) { return to_micros(*r.arrival); }

}  // namespace

TEST(TransportFeedbackAdapter, MatchesFeedbackToSentPackets) {
  TransportFeedbackAdapter adapter;
  for (int i = 0; i < 5; ++i) adapter.on_packet_sent(uint16_t(10 + i), sent_at(i), 1000 + i, i == 4);
  EXPECT_EQ(adapter.in_flight_bytes(), 5010u);
  const Instant now = sent_at(100);
  auto report = adapter.on_feedback(feedback(10, 7, {1000, {}, 2500, 2250}), now);
  ASSERT_TRUE(report);
  EXPECT_EQ(report->received_at, now);
  ASSERT_EQ(report->packets.size(), 4u);
  const int64_t ref = 7 * 64'000;
  EXPECT_EQ(report->packets[0].transport_sequence, 10);
  EXPECT_EQ(report->packets[0].send_time, sent_at(0));
  EXPECT_EQ(report->packets[0].size, 1000u);
  EXPECT_EQ(arrival_us(report->packets[0]), ref + 1000);
  EXPECT_FALSE(report->packets[1].arrival);  // lost
  EXPECT_EQ(arrival_us(report->packets[2]), ref + 2500);
  EXPECT_EQ(arrival_us(report->packets[3]), ref + 2250);
  EXPECT_EQ(adapter.in_flight_bytes(), 1004u);  // only 14 remains
  // The same feedback again says nothing new.
  EXPECT_FALSE(adapter.on_feedback(feedback(10, 7, {1000, {}, 2500, 2250}), now));
  // A later one covering 14 carries the retransmission flag through.
  report = adapter.on_feedback(feedback(14, 8, {0}, 1), now);
  ASSERT_TRUE(report);
  ASSERT_EQ(report->packets.size(), 1u);
  EXPECT_TRUE(report->packets[0].retransmission);
  EXPECT_EQ(arrival_us(report->packets[0]), 8 * 64'000);
  EXPECT_EQ(adapter.in_flight_bytes(), 0u);
}

TEST(TransportFeedbackAdapter, LostThenReceivedIsReportedAgainAsReceived) {
  TransportFeedbackAdapter adapter;
  for (int i = 0; i < 3; ++i) adapter.on_packet_sent(uint16_t(i), sent_at(i), 100);
  auto report = adapter.on_feedback(feedback(0, 1, {0, {}, 500}), sent_at(50));
  ASSERT_TRUE(report);
  EXPECT_EQ(report->packets.size(), 3u);
  // Lost again: not repeated.
  EXPECT_FALSE(adapter.on_feedback(feedback(1, 1, {std::nullopt}), sent_at(60)));
  report = adapter.on_feedback(feedback(1, 1, {700}), sent_at(70));
  ASSERT_TRUE(report);
  ASSERT_EQ(report->packets.size(), 1u);
  EXPECT_EQ(report->packets[0].transport_sequence, 1);
  EXPECT_EQ(arrival_us(report->packets[0]), 64'000 + 700);
}

TEST(TransportFeedbackAdapter, PacketsNotInHistoryAreIgnored) {
  TransportFeedbackAdapter adapter;
  EXPECT_FALSE(adapter.on_feedback(feedback(0, 1, {0}), sent_at(0)));  // nothing sent yet
  adapter.on_packet_sent(100, sent_at(0), 100);
  adapter.on_packet_sent(102, sent_at(1), 100);  // 101 never sent (e.g. another path)
  auto report = adapter.on_feedback(feedback(98, 1, {0, 250, 500, 750, 1000, 1250}), sent_at(9));
  ASSERT_TRUE(report);
  ASSERT_EQ(report->packets.size(), 2u);
  EXPECT_EQ(report->packets[0].transport_sequence, 100);
  EXPECT_EQ(report->packets[1].transport_sequence, 102);
  EXPECT_EQ(arrival_us(report->packets[1]), 64'000 + 1000);
}

TEST(TransportFeedbackAdapter, HistoryIsBoundedByCountAndAge) {
  TransportFeedbackAdapter adapter({.max_age = milliseconds(100), .max_packets = 10});
  for (int i = 0; i < 20; ++i) adapter.on_packet_sent(uint16_t(i), sent_at(i), 10);
  EXPECT_EQ(adapter.history_size(), 10u);
  EXPECT_EQ(adapter.in_flight_bytes(), 100u);
  std::vector<std::optional<int64_t>> all(20, int64_t{0});
  auto report = adapter.on_feedback(feedback(0, 1, all), sent_at(30));
  ASSERT_TRUE(report);
  EXPECT_EQ(report->packets.size(), 10u);
  EXPECT_EQ(report->packets.front().transport_sequence, 10);
  adapter.on_packet_sent(20, sent_at(200), 10);  // everything else is now too old
  EXPECT_EQ(adapter.history_size(), 1u);
  EXPECT_EQ(adapter.in_flight_bytes(), 10u);
}

TEST(TransportFeedbackAdapter, SequenceNumbersUnwrap) {
  TransportFeedbackAdapter adapter;
  for (int i = 0; i < 6; ++i) {
    EXPECT_EQ(adapter.on_packet_sent(uint16_t(65533 + i), sent_at(i), 10), 65533 + i);
  }
  auto report = adapter.on_feedback(feedback(65534, 1, {0, 250, 500, 750}), sent_at(20));
  ASSERT_TRUE(report);
  ASSERT_EQ(report->packets.size(), 4u);
  EXPECT_EQ(report->packets[0].transport_sequence, 65534);
  EXPECT_EQ(report->packets[3].transport_sequence, 65537);
  EXPECT_EQ(report->packets[3].send_time, sent_at(4));
}

TEST(TransportFeedbackAdapter, ReferenceTimeUnwrapsAcross24Bits) {
  TransportFeedbackAdapter adapter;
  for (int i = 0; i < 3; ++i) adapter.on_packet_sent(uint16_t(i), sent_at(i), 10);
  // As parsed: 0x7fffff, then 0x800000 which sign-extends to -2^23.
  auto a = adapter.on_feedback(feedback(0, 0x7fffff, {1000}, 0), sent_at(10));
  auto b = adapter.on_feedback(feedback(1, -0x800000, {1000}, 1), sent_at(20));
  // A reordered older feedback still lands on the same timeline.
  auto c = adapter.on_feedback(feedback(2, 0x7ffffe, {1000}, 2), sent_at(30));
  ASSERT_TRUE(a && b && c);
  EXPECT_EQ(arrival_us(b->packets[0]) - arrival_us(a->packets[0]), 64'000);
  EXPECT_EQ(arrival_us(c->packets[0]) - arrival_us(a->packets[0]), -64'000);
}

TEST(TransportFeedbackAdapter, CountsMissedFeedback) {
  TransportFeedbackAdapter adapter;
  adapter.on_packet_sent(0, sent_at(0), 10);
  adapter.on_feedback(feedback(0, 1, {0}, 254), sent_at(1));
  adapter.on_feedback(feedback(0, 1, {0}, 255), sent_at(2));
  adapter.on_feedback(feedback(0, 1, {0}, 2), sent_at(3));  // 0 and 1 went missing
  adapter.on_feedback(feedback(0, 1, {0}, 1), sent_at(4));  // reordered: no change
  EXPECT_EQ(adapter.missed_feedbacks(), 2u);
}
