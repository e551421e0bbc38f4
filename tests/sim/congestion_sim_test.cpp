// Whole calls with transport-wide congestion control on a virtual clock: the
// senders follow TargetBitrate (frame size = video_bps / 30) over links with
// a bottleneck whose capacity changes, with random loss and FlexFEC, and on
// a clean link. Each test prints its figures.
#include <gtest/gtest.h>

#include <cstdio>

#include "two_peer_call.hpp"

namespace peercall {
namespace {

using sim::Bottleneck;
using sim::CallPeer;
using sim::LinkModel;
using sim::TwoPeerCall;
using sim::TwoPeerCallOptions;

constexpr uint8_t kTransportCcId = 3;

SessionConfig config_for(int side, bool fec) {
  const uint32_t base = side == 0 ? 0x1000 : 0x2000;
  const uint32_t other = side == 0 ? 0x2000 : 0x1000;
  SessionConfig c;
  StreamConfig audio{MediaKind::kAudio, "0", true, true, 111, 48000, base + 2, 0};
  StreamConfig video{MediaKind::kVideo, "1", true, true, 96, 90000, base + 1, other + 1};
  video.rtx_payload_type = 97;
  video.local_rtx_ssrc = base + 3;
  video.remote_rtx_ssrc = other + 3;
  if (fec) {
    video.fec_payload_type = 98;
    video.local_fec_ssrc = base + 4;
    video.remote_fec_ssrc = 0;  // learned from the first FEC packet
  }
  c.streams = {audio, video};
  c.random_seed = 500 + side;
  c.cname = side == 0 ? "a" : "b";
  c.transport_cc_extension_id = kTransportCcId;
  c.min_bitrate_bps = 100'000;
  c.start_bitrate_bps = 1'000'000;
  c.max_bitrate_bps = 2'500'000;
  return c;
}

TwoPeerCallOptions following() {
  TwoPeerCallOptions o;
  o.follow_target = true;
  o.keyframe_bytes = 6000;
  o.delta_bytes = 4000;  // until the first TargetBitrate
  o.audio_bytes = 80;
  return o;
}

// The total target in force at `t` (the last event at or before it), 0 before any.
int target_at(const CallPeer& p, Instant t) {
  int bps = 0;
  for (const auto& [at, target] : p.targets)
    if (at <= t) bps = target.total_bps;
  return bps;
}

// The first instant at or after `from` when the target reached `bps`, if any.
std::optional<Instant> reached(const CallPeer& p, Instant from, int bps) {
  for (const auto& [at, target] : p.targets)
    if (at >= from && target.total_bps >= bps) return at;
  return std::nullopt;
}

// The lowest total target of the TargetBitrate events in [from, to).
// The target's mean over [from, to), sampled every 100 ms.
int mean_target(const CallPeer& p, Instant from, Instant to) {
  int64_t sum = 0, n = 0;
  for (Instant t = from; t < to; t += milliseconds(100), ++n) sum += target_at(p, t);
  return n ? int(sum / n) : 0;
}

int lowest_target(const CallPeer& p, Instant from, Instant to) {
  int bps = INT32_MAX;
  for (const auto& [at, target] : p.targets)
    if (at >= from && at < to) bps = std::min(bps, target.total_bps);
  return bps;
}

// The largest capture-to-delivery latency of the frames `side` received that
// were sent in [from, to) since the start.
Duration max_latency(const TwoPeerCall& call, int side, Duration from, Duration to) {
  Duration worst{};
  for (const auto& d : call.peer(side).video) {
    const uint32_t n = sim::frame_number(d.frame);
    const Duration sent = call.sent_at(n) - call.start();
    if (sent >= from && sent < to) worst = std::max(worst, d.at - call.sent_at(n));
  }
  return worst;
}

long long ms(Duration d) { return (long long)(to_micros(d) / 1000); }

void print_stats(const char* name, const TwoPeerCall& call, int side) {
  const SessionStats tx = call.peer(1 - side).session->stats();
  const SessionStats rx = call.peer(side).session->stats();
  const CongestionStats& c = tx.congestion;
  std::printf(
      "[%s] sender %d: target %d kbit/s (video %d), acked %d kbit/s, state %s/%s, pacer queue %lld ms, "
      "feedback sent %llu / received %llu, rtx %llu, fec sent %llu (loss %.3f) | receiver %d: lost %lld, "
      "fec received %llu, recovered by fec %llu, by nack %llu, frames lost %llu, PLIs %llu; "
      "network drops %llu (queue %llu)\n",
      name, 1 - side, c.target_bps / 1000, c.video_target_bps / 1000,
      c.acknowledged_bps.value_or(0) / 1000, c.bwe_state.c_str(), c.bwe_reason.c_str(),
      ms(c.pacer_queue_delay), (unsigned long long)rx.congestion.transport_feedback_sent,
      (unsigned long long)c.transport_feedback_received,
      (unsigned long long)tx.video_out.packets_retransmitted,
      (unsigned long long)tx.video_out.fec_packets_sent, tx.video_out.fec_protection_loss, side,
      (long long)rx.video_in.packets_lost, (unsigned long long)rx.video_in.fec_packets_received,
      (unsigned long long)rx.video_in.packets_recovered_by_fec,
      (unsigned long long)rx.video_in.packets_recovered, (unsigned long long)rx.video_in.frames_lost,
      (unsigned long long)rx.video_in.keyframe_requests_sent,
      (unsigned long long)call.network().dropped(), (unsigned long long)call.network().queue_drops());
}

void print_targets(const char* name, const CallPeer& p, Instant start) {
  std::printf("[%s] target (kbit/s) each second:", name);
  for (int s = 1; s <= 60; ++s) {
    const Instant t = start + seconds(s);
    if (!p.targets.empty() && p.targets.back().first + seconds(2) < t) break;
    std::printf(" %d", target_at(p, t) / 1000);
  }
  std::printf("\n");
}

// max_gap: the longest gap between delivered frames allowed (the freeze at the drop).
void drop_and_restore(const TwoPeerCallOptions& options, const char* label, Duration max_gap = seconds(3)) {
  const Duration drop_at = seconds(15), restore_at = seconds(30), end = seconds(45);
  LinkModel link{milliseconds(20)};
  Bottleneck b;
  b.capacity_bps = 2'000'000;
  b.queue = milliseconds(300);
  b.schedule = {{drop_at, 300'000}, {restore_at, 2'000'000}};
  link.bottleneck = b;
  TwoPeerCall call({config_for(0, true), config_for(1, true)}, link, 4242, options);
  call.run(end, end + seconds(1));
  ASSERT_FALSE(call.stuck());
  for (int side = 0; side < 2; ++side) {
    const CallPeer& sender = call.peer(1 - side);
    const sim::VideoQuality q = sim::measure(call, side);
    const Duration worst_before = max_latency(call, side, seconds(5), drop_at);
    const Duration worst_during = max_latency(call, side, drop_at, drop_at + seconds(3));
    const Duration worst_settled = max_latency(call, side, drop_at + seconds(3), restore_at);
    const Duration worst_after = max_latency(call, side, restore_at, end);
    const int target_before = target_at(sender, call.start() + drop_at);
    // Its mean over the last 10 s of the cap: one instant may be a sawtooth's
    // top (the estimate counts the wire's bytes, and an application-limited
    // encoder leaves it room to float above the link).
    const int target_low = mean_target(sender, call.start() + restore_at - seconds(10), call.start() + restore_at);
    const auto back = reached(sender, call.start() + restore_at, 1'800'000);
    const int lowest = lowest_target(sender, call.start() + drop_at, call.start() + restore_at);
    std::printf(
        "[2 -> 0.3 -> 2 Mbit/s, 300 ms queue, %s] side %d: %zu/%u frames (%.1f%%), max latency "
        "before %lld ms, first 3 s after the drop %lld ms, then %lld ms, after the restore %lld ms; "
        "target before the drop %d kbit/s, lowest in the cap %d kbit/s, mean in its last 10 s %d kbit/s, "
        "1.8 Mbit/s again %lld ms after the restore\n",
        label, side, q.delivered, call.frames_sent(), 100.0 * double(q.delivered) / call.frames_sent(),
        ms(worst_before), ms(worst_during), ms(worst_settled), ms(worst_after), target_before / 1000,
        lowest / 1000, target_low / 1000, back ? ms(*back - (call.start() + restore_at)) : -1LL);
    print_targets("2 -> 0.3 -> 2", sender, call.start());
    print_stats("2 -> 0.3 -> 2", call, side);
    EXPECT_TRUE(q.intact_and_in_order);
    EXPECT_GE(q.delivered, call.frames_sent() * 80 / 100);
    EXPECT_LT(worst_settled, milliseconds(300));
    EXPECT_LT(worst_before, milliseconds(300));
    EXPECT_GE(target_before, 1'500'000);  // it had ramped towards the capacity
    EXPECT_LE(target_low, 360'000);       // and followed it down (within 20% of the link)
    // But not to the floor, 100 (issue 10). A keyframe asked for in the cap
    // drops the pacer's stale backlog, and the idle moment that leaves shows
    // in the received rate the next cut goes by: down to ~130 k for a second
    // or two, where without the drop it was ~200 k (and the keyframe late).
    EXPECT_GE(lowest, 120'000);
    // The probes' padding arrives on the RTX SSRC and is counted, not malformed.
    const SessionStats rx = call.peer(side).session->stats();
    const SessionStats tx = sender.session->stats();
    std::printf("[%s] side %d: rtx received %llu (retransmitted %llu, the rest padding), malformed %llu\n",
                label, side, (unsigned long long)rx.video_in.rtx_received,
                (unsigned long long)tx.video_out.packets_retransmitted,
                (unsigned long long)rx.datagrams_malformed);
    // (Retransmissions are lost in the cap too: only the application-limited
    // call, which probes every 3 s, shows the padding clearly in the count.)
    if (options.encoder_fraction < 1)
      EXPECT_GT(rx.video_in.rtx_received, tx.video_out.packets_retransmitted + 50);
    EXPECT_EQ(rx.datagrams_malformed, 0u);
    // No stale picture after the drop: the pause supersedes what was sent
    // before it (no retransmission refills the queue), ends when the feedback
    // shows the queue drained, and its keyframe is taken beyond the gap at
    // once (634-962 ms old pictures before, from retransmissions).
    EXPECT_LT(worst_during, milliseconds(400));
    // The collapse paused the video while the queue drained, once.
    std::printf("[%s] side %d: video pauses %d, longest gap between delivered frames %lld ms\n", label, side,
                sender.video_pauses, ms(q.longest_delivery_gap));
    EXPECT_EQ(sender.video_pauses, 1);
    EXPECT_LE(q.longest_delivery_gap, max_gap);
    ASSERT_TRUE(back.has_value());
    EXPECT_LE(*back - (call.start() + restore_at), seconds(5));
  }
}

TEST(CongestionSim, CapacityDropAndRestoreWithAThreeHundredMsQueue) {
  // The collapse is seen in the last ~200 ms of arrivals (not only once the
  // estimate has halved): the freeze went from 1.01-1.02 s to 0.85 s.
  drop_and_restore(following(), "encoder on target", milliseconds(950));
}

// Issue 10 as measured: the encoder sends ~65 % of its target and the app
// caps video at 1500 kbit/s, so the received rate alone never shows spare
// capacity again after the drop; only probing does.
TEST(CongestionSim, CapacityDropAndRestoreWithAnApplicationLimitedEncoder) {
  TwoPeerCallOptions o = following();
  o.encoder_fraction = 0.65;
  o.encoder_max_bps = 1'500'000;
  // The pause at the collapse lets the keyframe after it through the drained
  // queue: the freeze is under a second (1.66 s without the pause), and
  // ending it when the queue must have drained, not when the feedback shows
  // it, brought it from 784-891 ms to ~700.
  drop_and_restore(o, "encoder at 65%, capped at 1500", milliseconds(800));
}

TEST(CongestionSim, FivePercentRandomLossAtRtt100WithFlexFec) {
  LinkModel link{milliseconds(50), Duration::zero(), 0.05};
  TwoPeerCall call({config_for(0, true), config_for(1, true)}, link, 2025, following());
  call.run(seconds(20), seconds(21));
  ASSERT_FALSE(call.stuck());
  for (int side = 0; side < 2; ++side) {
    const CallPeer& sender = call.peer(1 - side);
    const sim::VideoQuality q = sim::measure(call, side);
    const SessionStats rx = call.peer(side).session->stats();
    const SessionStats tx = sender.session->stats();
    std::printf(
        "[5%% loss, rtt 100, FEC] side %d: %zu/%u frames (%.1f%%), longest delivery gap %lld ms, "
        "latency p95 %lld ms max %lld ms, final target %d kbit/s, fec overhead %.1f%%\n",
        side, q.delivered, call.frames_sent(), 100.0 * double(q.delivered) / call.frames_sent(),
        ms(q.longest_delivery_gap), ms(q.latency_p95), ms(q.latency_max),
        tx.congestion.target_bps / 1000,
        100.0 * double(tx.video_out.fec_bytes_sent) / double(std::max<uint64_t>(1, tx.video_out.bytes)));
    print_targets("5% loss FEC", sender, call.start());
    print_stats("5% loss FEC", call, side);
    EXPECT_TRUE(q.intact_and_in_order);
    EXPECT_GE(q.delivered, call.frames_sent() * 99 / 100);
    EXPECT_LE(q.longest_delivery_gap, milliseconds(200));
    EXPECT_EQ(call.peer(1 - side).video_pauses, 0) << "random loss is no collapse";
    EXPECT_GT(tx.video_out.fec_packets_sent, 100u);
    EXPECT_GT(rx.video_in.fec_packets_received, 100u);
    EXPECT_GT(rx.video_in.packets_recovered_by_fec, 20u);
    // Random loss is not congestion: the estimate stays well above the floor.
    EXPECT_GE(tx.congestion.target_bps, 500'000);
  }
}

TEST(CongestionSim, CleanLinkRampsToTheCapWithLowLatency) {
  LinkModel link{milliseconds(25)};
  TwoPeerCall call({config_for(0, false), config_for(1, false)}, link, 11, following());
  call.run(seconds(20), seconds(21));
  ASSERT_FALSE(call.stuck());
  for (int side = 0; side < 2; ++side) {
    const CallPeer& sender = call.peer(1 - side);
    const sim::VideoQuality q = sim::measure(call, side);
    const auto capped = reached(sender, call.start(), 2'500'000 * 95 / 100);
    std::printf(
        "[clean link] side %d: %zu/%u frames, latency p95 %lld ms max %lld ms, target at 95%% of "
        "the cap after %lld ms, final %d kbit/s\n",
        side, q.delivered, call.frames_sent(), ms(q.latency_p95), ms(q.latency_max),
        capped ? ms(*capped - call.start()) : -1LL, target_at(sender, call.start() + seconds(20)) / 1000);
    print_targets("clean", sender, call.start());
    print_stats("clean", call, side);
    EXPECT_TRUE(q.intact_and_in_order);
    EXPECT_GE(q.delivered, call.frames_sent() - 1);
    EXPECT_EQ(call.peer(1 - side).video_pauses, 0);
    ASSERT_TRUE(capped.has_value());
    EXPECT_LE(*capped - call.start(), seconds(15));
    EXPECT_LE(q.latency_p95, milliseconds(25 + 30));
    EXPECT_LE(q.latency_max, milliseconds(25 + 60));
  }
}

}  // namespace
}  // namespace peercall
