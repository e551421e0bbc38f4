// End to end: RTP packets stamped with a transport-wide sequence number at
// send time, a lossy jittery (reordering) path, the receiver's generator, the
// feedback serialised as RTCP and parsed back, and the sender's adapter. What
// the adapter reports must match what the simulated network did.
#include <gtest/gtest.h>

#include <map>
#include <random>

#include "cc/transport_feedback_adapter.hpp"
#include "cc/transport_feedback_generator.hpp"
#include "rtp/rtcp_packet.hpp"
#include "rtp/rtp_header_extensions.hpp"

using namespace peercall;

namespace {

constexpr uint8_t kTransportSeqId = 3;
constexpr int kPackets = 2000;

struct Truth {
  Instant send{};
  std::optional<int64_t> arrival_us;  // receiver clock
  size_t size = 0;
};

struct LoopResult {
  std::map<int64_t, Truth> truth;         // by unwrapped sequence
  std::map<int64_t, PacketResult> received;  // as reported
  std::map<int64_t, int> lost_reports;
  uint64_t late = 0;
  uint64_t feedbacks = 0;
};

// Sender clock epoch near zero; the receiver's clock is offset so that its
// 24-bit reference time (64 ms units) crosses the sign boundary mid-call.
void run_loop(uint32_t seed, double loss, int jitter_us, uint16_t first_seq, LoopResult& out) {
  std::mt19937 rng(seed);
  const int64_t receiver_offset_us = (int64_t(1) << 23) * 64'000 - 2'000'000;
  TransportFeedbackAdapter adapter;
  TransportFeedbackGenerator gen({.sender_ssrc = 7, .media_ssrc = 9});

  // Events on the sender's clock (microseconds): 0 send, 1 arrival, 2 feedback.
  struct Event {
    int kind;
    int index;  // packet index (send, arrival) or feedback index
  };
  std::multimap<int64_t, Event> events;
  std::vector<Bytes> datagrams(kPackets);
  std::vector<Bytes> feedback_wire;
  for (int i = 0; i < kPackets; ++i) events.insert({1'000'000 + int64_t(i) * 2000, {0, i}});

  RtpHeader header;
  header.payload_type = 96;
  header.ssrc = 0x1234;
  const auto placeholder = encode_transport_sequence(0);
  std::optional<Instant> poll_at;
  const auto poll_generator = [&](int64_t sender_us) {
    for (TransportFeedback& fb : gen.poll(instant_from_micros(sender_us + receiver_offset_us))) {
      feedback_wire.push_back(write_rtcp_compound({fb}));
      events.insert({sender_us + 15'000, {2, int(feedback_wire.size() - 1)}});
    }
  };
  int64_t clock_us = 0;  // sender clock of the last thing that happened
  for (;;) {
    // Feedback timers fire in time order with the events.
    const int64_t next_event = events.empty() ? INT64_MAX : events.begin()->first;
    if (auto t = gen.next_timeout(); t && to_micros(*t) - receiver_offset_us < next_event) {
      clock_us = std::max(clock_us, to_micros(*t) - receiver_offset_us);
      poll_generator(clock_us);
      continue;
    }
    if (events.empty()) break;
    const auto [now_us, ev] = *events.begin();
    events.erase(events.begin());
    clock_us = now_us;
    if (ev.kind == 0) {
      // The pacer: a packet written with a placeholder, stamped at send time.
      const uint16_t seq = uint16_t(first_seq + ev.index);
      const Bytes payload(200 + rng() % 1000, uint8_t(ev.index));
      header.sequence_number = uint16_t(ev.index);
      Bytes& d = datagrams[ev.index];
      write_rtp_with_extensions(header, {{kTransportSeqId, placeholder}}, payload, d);
      ASSERT_TRUE(set_extension_in_place(d, kTransportSeqId, encode_transport_sequence(seq)));
      const Instant send = instant_from_micros(now_us);
      const int64_t unwrapped = adapter.on_packet_sent(seq, send, d.size());
      Truth& t = out.truth[unwrapped];
      t.send = send;
      t.size = d.size();
      if (std::uniform_real_distribution<double>(0, 1)(rng) >= loss) {
        const int64_t delay = 30'000 + int64_t(rng() % (jitter_us + 1));
        events.insert({now_us + delay, {1, ev.index}});
        t.arrival_us = now_us + delay + receiver_offset_us;
      }
    } else if (ev.kind == 1) {
      const auto seq = read_transport_sequence(datagrams[ev.index], kTransportSeqId);
      ASSERT_TRUE(seq);
      gen.on_packet(*seq, instant_from_micros(now_us + receiver_offset_us));
    } else {
      auto parsed = parse_rtcp_compound(feedback_wire[ev.index]);
      ASSERT_TRUE(parsed.ok()) << parsed.error();
      for (const RtcpPacket& p : *parsed) {
        const auto* fb = std::get_if<TransportFeedback>(&p);
        ASSERT_NE(fb, nullptr);
        ++out.feedbacks;
        auto report = adapter.on_feedback(*fb, instant_from_micros(now_us));
        if (!report) continue;
        EXPECT_EQ(report->received_at, instant_from_micros(now_us));
        for (const PacketResult& r : report->packets) {
          if (r.arrival) {
            EXPECT_FALSE(out.received.count(r.transport_sequence)) << "reported twice";
            out.received[r.transport_sequence] = r;
          } else {
            ++out.lost_reports[r.transport_sequence];
          }
        }
      }
    }
  }
  out.late = gen.late_packets();
}

void check(const LoopResult& res) {
  ASSERT_FALSE(res.received.empty());
  // Arrival differences match the network's to within the 250 us resolution,
  // across the receiver clock's 24-bit reference wrap.
  const auto& [seq0, first] = *res.received.begin();
  const int64_t truth0 = *res.truth.at(seq0).arrival_us;
  const int64_t reported0 = to_micros(*first.arrival);
  size_t reported_lost_but_arrived = 0;
  for (const auto& [seq, truth] : res.truth) {
    const auto rec = res.received.find(seq);
    const auto lost = res.lost_reports.find(seq);
    if (rec != res.received.end()) {
      ASSERT_TRUE(truth.arrival_us) << seq << " reported received but was dropped";
      EXPECT_EQ(rec->second.send_time, truth.send);
      EXPECT_EQ(rec->second.size, truth.size);
      const int64_t want = *truth.arrival_us - truth0;
      const int64_t got = to_micros(*rec->second.arrival) - reported0;
      EXPECT_LT(std::abs(got - want), 250) << seq;
      EXPECT_TRUE(lost == res.lost_reports.end()) << seq << " reported lost and received";
    } else if (lost != res.lost_reports.end()) {
      EXPECT_EQ(lost->second, 1) << seq;
      if (truth.arrival_us) ++reported_lost_but_arrived;
    }
  }
  // Everything from the first to the last packet the receiver knew of got an
  // answer; before that nothing can be (the receiver never heard of it).
  const int64_t first_answered =
      std::min(res.received.begin()->first,
               res.lost_reports.empty() ? INT64_MAX : res.lost_reports.begin()->first);
  int64_t last_arrived = 0;
  size_t arrived_before_start = 0;
  for (const auto& [seq, truth] : res.truth) {
    if (truth.arrival_us) last_arrived = seq;
    if (truth.arrival_us && seq < first_answered) ++arrived_before_start;
  }
  for (const auto& [seq, truth] : res.truth) {
    if (seq < first_answered) continue;
    if (seq > last_arrived) break;
    EXPECT_TRUE(res.received.count(seq) || res.lost_reports.count(seq)) << seq << " unanswered";
  }
  // Only packets that arrived after their feedback was sent are misreported
  // (or, before the start, unreported).
  EXPECT_EQ(reported_lost_but_arrived + arrived_before_start, res.late);
}

}  // namespace

TEST(TransportFeedbackLoop, CleanPathReportsEveryPacket) {
  LoopResult res;
  run_loop(1, 0.0, 0, 100, res);
  check(res);
  EXPECT_EQ(res.received.size(), size_t(kPackets));
  EXPECT_TRUE(res.lost_reports.empty());
  // 4 s of packets at 50 ms intervals: about 80 feedback messages.
  EXPECT_GT(res.feedbacks, 60u);
  EXPECT_LT(res.feedbacks, 100u);
}

TEST(TransportFeedbackLoop, LossAndReorderingAcrossSequenceWrap) {
  LoopResult res;
  run_loop(2, 0.1, 20'000, 64'000, res);
  check(res);
  size_t dropped = 0;
  for (const auto& [seq, t] : res.truth) dropped += !t.arrival_us;
  EXPECT_GT(dropped, 100u);
  EXPECT_GE(res.lost_reports.size(), dropped - 1);  // a trailing loss may go unanswered
}

TEST(TransportFeedbackLoop, HeavyLossBigJitter) {
  for (uint32_t seed = 10; seed < 14; ++seed) {
    LoopResult res;
    run_loop(seed, 0.4, 200'000, uint16_t(seed * 9000), res);
    check(res);
  }
}
