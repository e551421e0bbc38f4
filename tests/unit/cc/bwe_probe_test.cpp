// Bandwidth probing: the probe estimator on synthetic feedback, the probe
// controller's decisions, the estimator taking a result, and the padding-only
// packet a probe sends (and the receiver's unwrap of it).
#include <gtest/gtest.h>

#include "cc/bwe/bandwidth_estimator.hpp"
#include "cc/bwe/probe_bitrate_estimator.hpp"
#include "cc/bwe/probe_controller.hpp"
#include "cc/transport_feedback_adapter.hpp"
#include "rtp/rtp_header_extensions.hpp"
#include "rtp/rtx_packet.hpp"

namespace peercall {
namespace {

const Instant kT0 = Instant{} + seconds(100);

// A cluster of `n` packets of `size` sent every `send_gap`, arriving every
// `arrival_gap` (peer clock); `lost` of them (every other from the second) lost.
TransportFeedbackReport cluster(int id, int n, size_t size, Duration send_gap, Duration arrival_gap,
                                int lost = 0, Instant at = kT0 + milliseconds(100)) {
  TransportFeedbackReport r;
  r.received_at = at;
  for (int i = 0; i < n; ++i) {
    PacketResult p;
    p.transport_sequence = i;
    p.send_time = kT0 + send_gap * i;
    p.size = size;
    p.probe_cluster = id;
    if (!(lost > 0 && i % 2 == 1 && i / 2 < lost)) p.arrival = kT0 + seconds(50) + arrival_gap * i;
    r.packets.push_back(p);
  }
  return r;
}

constexpr double kToRtp = 1200.0 / 1240.0;  // the estimator's wire -> RTP-bytes factor

TEST(BweProbeBitrateEstimator, APathThatCarriedTheClusterGivesItsSendRate) {
  ProbeBitrateEstimator e;
  e.on_cluster_sent(7, 20, kT0 + milliseconds(20));
  // 20 x (260 + 40) bytes, one per 0.6 ms: 4 Mbit/s on the wire; arrivals as sent.
  auto results = e.on_feedback(cluster(7, 20, 260, microseconds(600), microseconds(600)));
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].cluster_id, 7);
  EXPECT_NEAR(results[0].send_bps, 4e6, 1e3);
  EXPECT_NEAR(results[0].bps, 4e6 * kToRtp, 1e4);
  EXPECT_EQ(e.pending_clusters(), 0u) << "judged once";
}

TEST(BweProbeBitrateEstimator, ABottleneckSpreadsTheClusterToItsCapacity) {
  ProbeBitrateEstimator e;
  e.on_cluster_sent(1, 20, kT0 + milliseconds(20));
  // Sent at 4 Mbit/s, delivered at 2 Mbit/s (1.2 ms apart).
  auto results = e.on_feedback(cluster(1, 20, 260, microseconds(600), microseconds(1200)));
  ASSERT_EQ(results.size(), 1u);
  EXPECT_NEAR(results[0].receive_bps, 2e6, 1e3);
  EXPECT_NEAR(results[0].bps, 0.95 * 2e6 * kToRtp, 1e4);
}

TEST(BweProbeBitrateEstimator, TooFewPacketsArrivedIsNoResult) {
  ProbeBitrateEstimator e;
  e.on_cluster_sent(2, 10, kT0 + milliseconds(20));
  EXPECT_TRUE(e.on_feedback(cluster(2, 10, 260, microseconds(600), microseconds(600), 4)).empty());
  EXPECT_EQ(e.pending_clusters(), 0u) << "accounted for: dropped";
}

TEST(BweProbeBitrateEstimator, WaitsForTheWholeClusterThenJudgesWhatArrived) {
  ProbeBitrateEstimator e;
  e.on_cluster_sent(3, 30, kT0 + milliseconds(20));
  EXPECT_TRUE(e.on_feedback(cluster(3, 25, 260, microseconds(600), microseconds(600))).empty())
      << "5 packets not reported yet";
  TransportFeedbackReport late;
  late.received_at = kT0 + seconds(2);  // feedback for the rest never came
  auto results = e.on_feedback(late);
  ASSERT_EQ(results.size(), 1u) << "judged on the 25 (83 %) that arrived";
  EXPECT_NEAR(results[0].send_bps, 4e6, 1e3);
}

TEST(BweProbeBitrateEstimator, PacketsWithoutAClusterAreIgnored) {
  ProbeBitrateEstimator e;
  TransportFeedbackReport r = cluster(0, 20, 260, microseconds(600), microseconds(600));
  for (auto& p : r.packets) p.probe_cluster.reset();
  EXPECT_TRUE(e.on_feedback(r).empty());
  EXPECT_EQ(e.pending_clusters(), 0u);
}

ProbeControllerConfig no_start_probe() {
  ProbeControllerConfig c;
  c.probe_at_start = false;
  return c;
}

TEST(BweProbeController, ProbesAtTheStartThenFurtherWhileItSucceeds) {
  ProbeController pc({}, 2.5e6);
  pc.on_estimate(0.5e6, kT0);
  auto c = pc.poll(kT0);
  ASSERT_TRUE(c);
  EXPECT_DOUBLE_EQ(c->bps, 1.5e6);
  EXPECT_GE(c->min_packets, 5u);
  EXPECT_FALSE(pc.poll(kT0 + milliseconds(10))) << "one outstanding at a time";
  pc.on_probe_result(c->id, 1.4e6, kT0 + milliseconds(100));  // carried: look further
  pc.on_estimate(1.4e6, kT0 + milliseconds(100));
  auto next = pc.poll(kT0 + milliseconds(100));
  ASSERT_TRUE(next);
  EXPECT_DOUBLE_EQ(next->bps, 2.5e6) << "2 x 1.4, capped at the maximum";
  pc.on_probe_result(next->id, 1.9e6, kT0 + milliseconds(200));  // the path's limit
  pc.on_estimate(1.9e6, kT0 + milliseconds(200));
  EXPECT_FALSE(pc.poll(kT0 + milliseconds(200))) << "probed at the maximum: done";
}

TEST(BweProbeController, AFailedProbeEndsTheSearch) {
  ProbeController pc({}, 2.5e6);
  pc.on_estimate(0.5e6, kT0);
  auto c = pc.poll(kT0);
  ASSERT_TRUE(c);
  pc.on_probe_result(c->id, 0.6e6, kT0 + milliseconds(100));  // < 70 % of 1.5 Mbit/s
  EXPECT_FALSE(pc.poll(kT0 + milliseconds(100)));
  EXPECT_EQ(pc.next_timeout(), Instant::max()) << "not application-limited: nothing planned";
}

TEST(BweProbeController, ProbesPeriodicallyOnlyWhileApplicationLimited) {
  ProbeController pc(no_start_probe(), 2.5e6);
  pc.on_estimate(0.3e6, kT0);
  pc.on_send_rate(0.28e6);
  EXPECT_FALSE(pc.poll(kT0 + seconds(10))) << "sends what it may";
  pc.on_send_rate(0.15e6);
  auto c = pc.poll(kT0 + seconds(10));
  ASSERT_TRUE(c);
  EXPECT_DOUBLE_EQ(c->bps, 0.6e6);
  pc.on_probe_result(c->id, 0.32e6, kT0 + seconds(10) + milliseconds(100));  // the link's limit
  EXPECT_FALSE(pc.poll(kT0 + seconds(11)));
  EXPECT_EQ(pc.next_timeout(), kT0 + seconds(13));
  EXPECT_TRUE(pc.poll(kT0 + seconds(13))) << "every 3 s";
}

TEST(BweProbeController, ALargeDropIsProbedAtEightyFivePercentOfTheRateBefore) {
  ProbeController pc(no_start_probe(), 2.5e6);
  pc.on_estimate(2e6, kT0);
  pc.on_estimate(2e6, kT0 + milliseconds(500));
  pc.on_estimate(0.3e6, kT0 + seconds(1));
  EXPECT_FALSE(pc.poll(kT0 + seconds(2))) << "let it settle";
  EXPECT_EQ(pc.next_timeout(), kT0 + seconds(3));
  auto c = pc.poll(kT0 + seconds(3));
  ASSERT_TRUE(c);
  EXPECT_DOUBLE_EQ(c->bps, 0.85 * 2e6);
}

TEST(BweProbeController, NoRecoveryProbeForADropTheCallerKnowsIsReal) {
  // A collapse (the queue overflowed): a burst at the old rate would land in
  // the queue being drained, before the drop is seen or after.
  ProbeController pc(no_start_probe(), 2.5e6);
  pc.on_estimate(2e6, kT0);
  pc.on_estimate(1.2e6, kT0 + milliseconds(500));  // dropped: recovery planned
  pc.skip_recovery(kT0 + seconds(5));
  pc.on_estimate(0.3e6, kT0 + seconds(1));  // and again, inside the window
  EXPECT_FALSE(pc.poll(kT0 + seconds(4)));
  EXPECT_EQ(pc.next_timeout(), Instant::max());
  // A drop after the window is probed again.
  pc.on_estimate(0.3e6, kT0 + seconds(6));
  pc.on_estimate(0.1e6, kT0 + seconds(6) + milliseconds(100));
  auto c = pc.poll(kT0 + seconds(9));
  ASSERT_TRUE(c);
  EXPECT_DOUBLE_EQ(c->bps, 0.85 * 0.3e6);
}

TEST(BweProbeController, NothingAtTheMaximum) {
  ProbeController pc({}, 2.5e6);
  pc.on_estimate(2.5e6, kT0);
  pc.on_send_rate(0.5e6);
  EXPECT_FALSE(pc.poll(kT0 + seconds(5)));
  EXPECT_EQ(pc.next_timeout(), Instant::max());
}

TEST(BweEstimatorProbe, AResultRaisesTheEstimateButNeverLowersIt) {
  BandwidthEstimatorConfig c;
  c.start_bitrate_bps = 300'000;
  BandwidthEstimator bwe(c);
  bwe.on_probe_result(1.8e6, kT0);
  EXPECT_EQ(bwe.target_bitrate_bps(), 1'800'000);
  EXPECT_EQ(bwe.estimate_state(kT0).last_reason, RateReason::kProbe);
  bwe.on_probe_result(0.5e6, kT0 + milliseconds(100));
  EXPECT_EQ(bwe.target_bitrate_bps(), 1'800'000);
  bwe.on_probe_result(9e6, kT0 + milliseconds(200));
  EXPECT_EQ(bwe.target_bitrate_bps(), c.max_bitrate_bps);
}

TEST(BweTransportFeedbackAdapter, CarriesTheProbeClusterOfEachPacket) {
  TransportFeedbackAdapter adapter;
  adapter.on_packet_sent(10, kT0, 275, true, 4);
  adapter.on_packet_sent(11, kT0, 1200, false);
  TransportFeedback fb;
  fb.base_sequence = 10;
  fb.reference_time_us = 0;
  fb.statuses.resize(2);
  fb.statuses[0].arrival_offset_us = 1000;
  fb.statuses[1].arrival_offset_us = 2000;
  auto report = adapter.on_feedback(fb, kT0 + milliseconds(50));
  ASSERT_TRUE(report);
  ASSERT_EQ(report->packets.size(), 2u);
  EXPECT_EQ(report->packets[0].probe_cluster, 4);
  EXPECT_FALSE(report->packets[1].probe_cluster);
}

TEST(BweProbePadding, APaddingOnlyPacketParsesEmptyAndIsRecognisedAsPadding) {
  RtpHeader h;
  h.payload_type = 97;
  h.ssrc = 0x1003;
  h.sequence_number = 42;
  const auto seq = encode_transport_sequence(777);
  Bytes packet;
  write_padding_only(h, {HeaderExtension{3, ByteView(seq.data(), seq.size())}}, 255, packet);
  EXPECT_EQ(packet.size(), 12u + 8u + 255u);
  EXPECT_TRUE(packet[0] & 0x20) << "P bit";
  EXPECT_EQ(packet.back(), 255);
  auto parsed = parse_rtp(packet);
  ASSERT_TRUE(parsed);
  EXPECT_TRUE(parsed->payload.empty());
  EXPECT_EQ(read_transport_sequence(packet, 3), 777);
  EXPECT_TRUE(is_rtx_padding(*parsed)) << "dropped quietly, not malformed";
}

}  // namespace
}  // namespace peercall
