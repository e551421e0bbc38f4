#include "packet/h264_depacketizer.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "packet/h264_packetizer.hpp"
#include "synthetic_h264.hpp"

using namespace peercall;
using peercall::test::RtpPacket;
using peercall::test::SyntheticAu;
using peercall::test::SyntheticH264;
using peercall::test::to_rtp;

namespace {

void push(H264Depacketizer& d, const RtpPacket& p) {
  d.push(p.seq, p.timestamp, p.marker, p.payload, instant_from_micros(1'000'000 + p.seq));
}

void push_all(H264Depacketizer& d, const std::vector<RtpPacket>& packets) {
  for (const RtpPacket& p : packets) push(d, p);
}

std::vector<H264AccessUnit> drain(H264Depacketizer& d) {
  std::vector<H264AccessUnit> out;
  while (auto au = d.pop_frame()) out.push_back(std::move(*au));
  return out;
}

// Packets of frames [from, to) of a packetized stream.
std::vector<RtpPacket> frames_slice(const std::vector<RtpPacket>& packets, size_t from, size_t to) {
  std::vector<RtpPacket> out;
  size_t frame = 0;
  for (const RtpPacket& p : packets) {
    if (frame >= from && frame < to) out.push_back(p);
    if (p.marker) ++frame;
  }
  return out;
}

void expect_frame(const H264AccessUnit& got, const SyntheticAu& want, uint32_t timestamp) {
  EXPECT_EQ(got.annexb, want.expected);
  EXPECT_EQ(got.keyframe, want.keyframe);
  EXPECT_EQ(got.rtp_timestamp, timestamp);
}

struct Stream {
  std::vector<SyntheticAu> frames;
  std::vector<RtpPacket> packets;
};

// Keyframe, several kinds of delta frames, keyframe, delta frame.
Stream make_stream(uint32_t seed, size_t max_payload, int64_t first_seq) {
  SyntheticH264 gen(seed);
  Stream s;
  s.frames = {gen.keyframe(50'000), gen.delta_frame(3, 800), gen.delta_frame(1, 20),
              gen.delta_frame(4, 2500), gen.delta_frame(12, 40), gen.keyframe(8000),
              gen.delta_frame(2, 1500)};
  s.packets = to_rtp(H264Packetizer(max_payload), s.frames, first_seq);
  return s;
}

void expect_all_frames(H264Depacketizer& d, const Stream& s) {
  const auto got = drain(d);
  ASSERT_EQ(got.size(), s.frames.size());
  for (size_t i = 0; i < got.size(); ++i) {
    SCOPED_TRACE(i);
    expect_frame(got[i], s.frames[i], 90000 + 3000 * uint32_t(i));
  }
  EXPECT_EQ(d.stats().frames_complete, s.frames.size());
  EXPECT_EQ(d.stats().frames_lost, 0u);
  EXPECT_EQ(d.stats().frames_dropped_waiting_keyframe, 0u);
  EXPECT_EQ(d.buffered_packets(), 0u);
}

}  // namespace

TEST(H264Depacketizer, InOrderRoundTripIsByteExact) {
  const Stream s = make_stream(10, 1200, 1000);
  H264Depacketizer d;
  EXPECT_TRUE(d.take_keyframe_request());  // nothing yet: ask for a keyframe
  EXPECT_TRUE(d.take_keyframe_request());  // ...for as long as none arrived
  const auto first = frames_slice(s.packets, 0, 1);
  push_all(d, first);
  auto au = d.pop_frame();
  ASSERT_TRUE(au);  // the first keyframe is handed out without waiting for more
  EXPECT_EQ(au->first_seq, 1000);
  EXPECT_EQ(au->last_seq, first.back().seq);
  EXPECT_EQ(au->first_packet_arrival, instant_from_micros(1'000'000 + 1000));
  EXPECT_FALSE(d.take_keyframe_request());

  push_all(d, frames_slice(s.packets, 1, s.frames.size()));
  auto rest = drain(d);
  ASSERT_EQ(rest.size(), s.frames.size() - 1);
  int64_t next_seq = first.back().seq + 1;
  for (size_t i = 0; i < rest.size(); ++i) {
    expect_frame(rest[i], s.frames[i + 1], 90000 + 3000 * uint32_t(i + 1));
    EXPECT_EQ(rest[i].first_seq, next_seq);
    next_seq = rest[i].last_seq + 1;
  }
  EXPECT_EQ(next_seq, s.packets.back().seq + 1);
  EXPECT_EQ(d.stats().frames_complete, s.frames.size());
  EXPECT_FALSE(d.take_keyframe_request());
}

TEST(H264Depacketizer, SmallMaxPayloadRoundTrip) {
  const Stream s = make_stream(11, 100, 5);
  for (const RtpPacket& p : s.packets) ASSERT_LE(p.payload.size(), 100u);
  H264Depacketizer d;
  push_all(d, s.packets);
  expect_all_frames(d, s);
}

TEST(H264Depacketizer, ReorderingWithinAndAcrossTwoFrames) {
  for (uint32_t seed = 1; seed <= 30; ++seed) {
    SCOPED_TRACE(seed);
    const Stream s = make_stream(seed, 1200, 40000);
    std::mt19937 rng(seed);
    H264Depacketizer d;
    // The first frame in order (its start is only known from its content),
    // then each pair of frames shuffled together.
    push_all(d, frames_slice(s.packets, 0, 1));
    for (size_t f = 1; f < s.frames.size(); f += 2) {
      auto pair = frames_slice(s.packets, f, f + 2);
      std::shuffle(pair.begin(), pair.end(), rng);
      push_all(d, pair);
    }
    expect_all_frames(d, s);
    EXPECT_EQ(d.stats().packets_too_late, 0u);
  }
}

TEST(H264Depacketizer, DuplicatesAreCountedAndIgnored) {
  const Stream s = make_stream(12, 1200, 7);
  std::mt19937 rng(12);
  H264Depacketizer d;
  uint64_t duplicates = 0;
  for (size_t i = 0; i < s.packets.size(); ++i) {
    push(d, s.packets[i]);
    if (rng() % 3 == 0) {  // right away, or a stale copy of an earlier packet
      push(d, s.packets[i - std::min<size_t>(i, rng() % 50)]);
      ++duplicates;
    }
  }
  expect_all_frames(d, s);
  EXPECT_EQ(d.stats().packets_duplicate, duplicates);
  EXPECT_EQ(d.stats().packets_too_late, 0u);
}

TEST(H264Depacketizer, SequenceNumbersBeyondSixteenBits) {
  for (int64_t first_seq : {int64_t{65530}, int64_t{65536} * 1000 - 20, int64_t{1} << 40}) {
    const Stream s = make_stream(13, 1200, first_seq);
    H264Depacketizer d;
    push_all(d, s.packets);
    expect_all_frames(d, s);
  }
}

TEST(H264Depacketizer, LostFragmentLosesFrameUntilNextKeyframe) {
  SyntheticH264 gen(14);
  const std::vector<SyntheticAu> frames{gen.keyframe(20000),      gen.delta_frame(1, 6000),
                                        gen.delta_frame(2, 700),  gen.delta_frame(1, 300),
                                        gen.keyframe(9000),       gen.delta_frame(1, 900)};
  const auto packets = to_rtp(H264Packetizer(1200), frames, 100);
  H264Depacketizer d;
  push_all(d, frames_slice(packets, 0, 1));
  ASSERT_EQ(drain(d).size(), 1u);
  EXPECT_FALSE(d.take_keyframe_request());

  auto frame1 = frames_slice(packets, 1, 2);
  ASSERT_GE(frame1.size(), 4u);
  const RtpPacket lost = frame1[2];
  ASSERT_EQ(h264_nal_type(lost.payload[0]), H264NalType::kFuA);
  frame1.erase(frame1.begin() + 2);
  push_all(d, frame1);
  push_all(d, frames_slice(packets, 2, 3));
  // Frame 2 is complete, but frame 1's packet may still be late: no verdict yet.
  EXPECT_EQ(d.stats().frames_lost, 0u);
  EXPECT_FALSE(d.take_keyframe_request());

  push_all(d, frames_slice(packets, 3, 4));
  EXPECT_EQ(d.stats().frames_lost, 1u);
  EXPECT_TRUE(d.take_keyframe_request());
  EXPECT_FALSE(d.take_keyframe_request());  // once per loss
  EXPECT_TRUE(drain(d).empty());            // frames 2 and 3 need the lost reference
  EXPECT_EQ(d.stats().frames_dropped_waiting_keyframe, 2u);

  push(d, lost);
  EXPECT_EQ(d.stats().packets_too_late, 1u);

  push_all(d, frames_slice(packets, 4, 6));
  const auto got = drain(d);
  ASSERT_EQ(got.size(), 2u);
  expect_frame(got[0], frames[4], 90000 + 3000 * 4);
  expect_frame(got[1], frames[5], 90000 + 3000 * 5);
  EXPECT_EQ(d.stats().frames_complete, 3u);
  EXPECT_FALSE(d.take_keyframe_request());
}

TEST(H264Depacketizer, LostMarkerPacketRecoversAtNextKeyframe) {
  SyntheticH264 gen(15);
  const std::vector<SyntheticAu> frames{gen.keyframe(3000), gen.delta_frame(2, 900),
                                        gen.delta_frame(1, 100), gen.delta_frame(1, 100),
                                        gen.keyframe(3000), gen.delta_frame(1, 100)};
  auto packets = to_rtp(H264Packetizer(1200), frames, 0);
  const auto is_marker = [](const RtpPacket& p) { return p.marker; };
  const auto key_end = std::find_if(packets.begin(), packets.end(), is_marker);
  const auto lost = std::find_if(key_end + 1, packets.end(), is_marker);  // frame 1's last packet
  ASSERT_EQ(lost->timestamp, 93000u);
  packets.erase(lost);
  H264Depacketizer d;
  bool requested = false;
  for (const RtpPacket& p : packets) {
    push(d, p);
    requested = d.take_keyframe_request() || requested;
    if (p.timestamp == 90000 + 3000 * 3) {
      EXPECT_TRUE(requested);  // by frame 3
    }
  }
  const auto got = drain(d);
  ASSERT_EQ(got.size(), 3u);
  expect_frame(got[0], frames[0], 90000);
  expect_frame(got[1], frames[4], 90000 + 3000 * 4);
  expect_frame(got[2], frames[5], 90000 + 3000 * 5);
  EXPECT_EQ(d.stats().frames_lost, 2u);  // frame 1 and frame 2 (its start is unknown)
  EXPECT_EQ(d.stats().frames_dropped_waiting_keyframe, 1u);
  EXPECT_FALSE(d.take_keyframe_request());  // the keyframe came
}

TEST(H264Depacketizer, LateJoinerWaitsForKeyframe) {
  SyntheticH264 gen(16);
  const std::vector<SyntheticAu> frames{gen.delta_frame(1, 5000), gen.delta_frame(3, 600),
                                        gen.delta_frame(1, 50), gen.keyframe(12000),
                                        gen.delta_frame(1, 400)};
  const auto packets = to_rtp(H264Packetizer(1200), frames, 3000);
  H264Depacketizer d;
  // Join in the middle of the first frame's FU-A.
  for (size_t i = 2; i < packets.size(); ++i) {
    if (packets[i].timestamp == 90000 + 3000 * 3) {
      EXPECT_TRUE(d.take_keyframe_request()) << i;  // until the keyframe is out
    }
    push(d, packets[i]);
  }
  const auto got = drain(d);
  ASSERT_EQ(got.size(), 2u);
  expect_frame(got[0], frames[3], 90000 + 3000 * 3);
  expect_frame(got[1], frames[4], 90000 + 3000 * 4);
  EXPECT_EQ(d.stats().frames_dropped_waiting_keyframe, 2u);
  EXPECT_EQ(d.stats().frames_lost, 0u);  // joining mid-stream is not a loss
  EXPECT_FALSE(d.take_keyframe_request());
}

TEST(H264Depacketizer, InconsistentFragmentsLoseTheFrame) {
  SyntheticH264 gen(17);
  const auto key = gen.keyframe(2000);
  H264Depacketizer d;
  const auto packets = to_rtp(H264Packetizer(1200), {key}, 10);
  push_all(d, packets);
  ASSERT_EQ(drain(d).size(), 1u);
  const int64_t seq = packets.back().seq + 1;
  // Two FU-A starts in a row, then an end: the first NAL never finished.
  d.push(seq, 93000, false, Bytes{0x7C, 0x85, 0x81}, {});  // first_mb_in_slice 0
  d.push(seq + 1, 93000, false, Bytes{0x7C, 0x85, 2}, {});
  d.push(seq + 2, 93000, true, Bytes{0x7C, 0x45, 3}, {});
  EXPECT_EQ(d.stats().frames_lost, 1u);
  EXPECT_TRUE(d.take_keyframe_request());
  // An FU-A end with no start, then a single NAL: no frame starts there (it
  // waits, to be given up later), and nothing of it is handed out.
  d.push(seq + 3, 96000, false, Bytes{0x7C, 0x41, 3}, {});
  d.push(seq + 4, 96000, true, Bytes{0x61, 3}, {});
  EXPECT_EQ(d.stats().frames_lost, 1u);
  EXPECT_TRUE(drain(d).empty());
  EXPECT_EQ(d.stats().packets_malformed, 0u);
}

TEST(H264Depacketizer, MalformedPayloadsAreCountedAndDropped) {
  const std::vector<Bytes> corpus{
      {},                            // empty
      {0x7C},                        // FU-A without FU header
      {0x7C, 0x85},                  // FU-A without data
      {0x7C, 0xC5, 1},               // FU-A start and end at once
      {0x7C, 0x9C, 1},               // FU-A carrying an FU-A
      {0x7C, 0x80, 1},               // FU-A carrying type 0
      {0x78},                        // empty STAP-A
      {0x78, 0x00},                  // STAP-A, half a length
      {0x78, 0x00, 0x05, 0x67, 1},   // STAP-A length overrun
      {0x78, 0x00, 0x00},            // STAP-A zero-length unit
      {0x78, 0x00, 0x01, 0x67, 0},   // STAP-A trailing byte
      {0x78, 0x00, 0x02, 0x7C, 1},   // STAP-A holding an FU-A
      {0x78, 0xFF, 0xFF, 0x67},      // STAP-A huge length
      {0x79, 0x00, 0x00, 0x01, 0x67, 0x01},  // STAP-B
      {0x7A, 1, 2, 3, 4, 5, 6, 7},   // MTAP16
      {0x7B, 1, 2, 3, 4, 5, 6, 7},   // MTAP24
      {0x7D, 0x85, 0, 1, 2},         // FU-B
      {0x00, 1, 2},                  // type 0
      {0x7E, 1},                     // type 30
      {0x7F, 1},                     // type 31
  };
  H264Depacketizer d;
  int64_t seq = 0;
  for (const Bytes& p : corpus) d.push(seq++, 1234, true, p, {});
  EXPECT_EQ(d.stats().packets_malformed, corpus.size());
  EXPECT_EQ(d.buffered_packets(), 0u);
  EXPECT_FALSE(d.pop_frame());
  // Absurd sequence numbers are refused too.
  d.push(INT64_MAX, 1, true, Bytes{0x65, 1}, {});
  d.push(INT64_MIN, 1, true, Bytes{0x65, 1}, {});
  EXPECT_EQ(d.stats().packets_malformed, corpus.size() + 2);
  EXPECT_FALSE(d.pop_frame());
}

TEST(H264Depacketizer, BufferIsBounded) {
  H264Depacketizer d;
  // Frames that never complete: FU-A middles without markers.
  for (int64_t seq = 0; seq < 5000; ++seq) {
    d.push(seq * 2, uint32_t(seq / 7), false, Bytes{0x7C, 0x01, 0x55}, {});
    ASSERT_LE(d.buffered_packets(), H264Depacketizer::kMaxBufferedPackets);
  }
  EXPECT_GT(d.stats().frames_lost, 0u);
  // Still usable: a fresh keyframe and a frame after it come out.
  SyntheticH264 gen(18);
  const std::vector<SyntheticAu> frames{gen.keyframe(5000), gen.delta_frame(1, 70),
                                        gen.keyframe(5000), gen.delta_frame(1, 70)};
  push_all(d, to_rtp(H264Packetizer(1200), frames, 20000));
  auto got = drain(d);
  ASSERT_GE(got.size(), 2u);
  expect_frame(got[got.size() - 2], frames[2], 90000 + 3000 * 2);
  expect_frame(got[got.size() - 1], frames[3], 90000 + 3000 * 3);
}

TEST(H264Depacketizer, RandomGarbageNeverCrashes) {
  std::mt19937 rng(19);
  H264Depacketizer d;
  const uint8_t interesting[] = {0x00, 0x41, 0x65, 0x67, 0x78, 0x79, 0x7C, 0x7D, 0x7F};
  for (int i = 0; i < 10000; ++i) {
    Bytes payload(rng() % 24);
    for (auto& b : payload) b = uint8_t(rng());
    if (!payload.empty() && rng() % 2) payload[0] = interesting[rng() % std::size(interesting)];
    if (payload.size() > 1 && rng() % 2) payload[1] = uint8_t((rng() % 4) << 6 | (rng() % 32));
    const int64_t seq = int64_t(i) + int64_t(rng() % 64) - 32;
    d.push(seq, uint32_t(rng() % 8) * 3000, rng() % 4 == 0, payload, instant_from_micros(i));
    ASSERT_LE(d.buffered_packets(), H264Depacketizer::kMaxBufferedPackets);
  }
  drain(d);
  d.take_keyframe_request();
  const auto& st = d.stats();
  // The seed reaches every path: frames out, lost, dropped; bad, repeated, late packets.
  EXPECT_GT(st.frames_complete, 0u);
  EXPECT_GT(st.frames_lost, 0u);
  EXPECT_GT(st.frames_dropped_waiting_keyframe, 0u);
  EXPECT_GT(st.packets_malformed, 0u);
  EXPECT_GT(st.packets_duplicate, 0u);
  EXPECT_GT(st.packets_too_late, 0u);
  EXPECT_LE(st.packets_malformed + st.packets_duplicate + st.packets_too_late, 10000u);

  // A real stream far ahead of the garbage still gets through once a second
  // keyframe arrives.
  SyntheticH264 gen(20);
  const std::vector<SyntheticAu> frames{gen.keyframe(4000), gen.delta_frame(1, 300),
                                        gen.delta_frame(1, 300), gen.keyframe(4000),
                                        gen.delta_frame(2, 300)};
  push_all(d, to_rtp(H264Packetizer(1200), frames, 1'000'000));
  const auto got = drain(d);
  ASSERT_GE(got.size(), 2u);
  expect_frame(got[got.size() - 2], frames[3], 90000 + 3000 * 3);
  expect_frame(got[got.size() - 1], frames[4], 90000 + 3000 * 4);
}

// After a loss, a frame whose first packets were lost with the end of the
// frame before it must not pass for whole because its later slices are: it
// would be shown without its top (and an IDR so decapitated poisons every
// frame after it).
TEST(H264Depacketizer, AFrameMissingItsFirstSliceIsNotTakenForWhole) {
  H264Depacketizer d;
  // A complete keyframe first.
  d.push(100, 1000, false, Bytes{0x67, 0x42, 0x1f}, {});
  d.push(101, 1000, true, Bytes{0x65, 0x88, 1}, {});
  ASSERT_EQ(drain(d).size(), 1u);
  // The next keyframe has two slices; the packet with the first (and the
  // parameter sets) is lost: only the second slice (first_mb_in_slice != 0) arrives.
  d.push(103, 4000, true, Bytes{0x65, 0x08, 2}, {});
  EXPECT_TRUE(drain(d).empty());
  // Whatever follows, the decapitated frame is never handed out.
  d.push(104, 7000, false, Bytes{0x67, 0x42, 0x1f}, {});
  d.push(105, 7000, true, Bytes{0x65, 0x88, 3}, {});
  d.push(106, 10000, true, Bytes{0x65, 0x88, 4}, {});
  for (const auto& f : drain(d)) EXPECT_NE(f.rtp_timestamp, 4000u);
}
