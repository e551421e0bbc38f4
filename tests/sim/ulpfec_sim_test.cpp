// RED + ULPFEC, as peercall sends video FEC to browsers, between two whole
// sessions on the simulated network: every repair must rebuild each packet
// it covers exactly as that packet left (header extensions included, as
// libwebrtc's receiver XORs them), and RED media and its RTX (apt=red) must
// be unwrapped on receipt. The XOR here is written out from RFC 5109
// afresh, not taken from src/fec.
#include <gtest/gtest.h>

#include <cstdio>
#include <map>

#include "fec/ulpfec_packet.hpp"
#include "rtp/red_packet.hpp"
#include "rtp/rtp_packet.hpp"
#include "two_peer_call.hpp"

namespace peercall {
namespace {

using sim::LinkModel;
using sim::TwoPeerCall;
using sim::TwoPeerCallOptions;

constexpr uint8_t kH264 = 96, kRtx = 97, kRed = 100, kUlpfec = 101, kRedRtx = 102;

SessionConfig config_for(int side) {
  const uint32_t base = side == 0 ? 0x1000 : 0x2000;
  const uint32_t other = side == 0 ? 0x2000 : 0x1000;
  SessionConfig c;
  StreamConfig audio{MediaKind::kAudio, "0", true, true, 111, 48000, base + 2, 0};
  StreamConfig video{MediaKind::kVideo, "1", true, true, kH264, 90000, base + 1, other + 1};
  video.rtx_payload_type = kRtx;
  video.local_rtx_ssrc = base + 3;
  video.remote_rtx_ssrc = other + 3;
  video.red_payload_type = kRed;
  video.ulpfec_payload_type = kUlpfec;
  video.red_rtx_payload_type = kRedRtx;
  c.streams = {audio, video};
  c.random_seed = 700 + side;
  c.cname = side == 0 ? "a" : "b";
  c.transport_cc_extension_id = 3;
  return c;
}

// RFC 5109's bit string of a packet: its first 8 header bytes with the
// sequence number zeroed, the length of what follows the fixed header, then that.
Bytes bit_string(ByteView packet) {
  Bytes out(packet.begin(), packet.begin() + 8);
  out[2] = out[3] = 0;
  const size_t rest = packet.size() - kRtpHeaderSize;
  out.push_back(uint8_t(rest >> 8));
  out.push_back(uint8_t(rest));
  out.insert(out.end(), packet.begin() + kRtpHeaderSize, packet.end());
  return out;
}

void xor_into(Bytes& acc, const Bytes& in) {
  if (acc.size() < in.size()) acc.resize(in.size(), 0);
  for (size_t i = 0; i < in.size(); ++i) acc[i] ^= in[i];
}

// The packet `missing` rebuilt from a repair and the other packets it covers.
Bytes rebuild(const UlpfecPacketView& fec, const std::vector<Bytes>& others, uint16_t missing,
              uint32_t ssrc) {
  const UlpfecHeader& h = fec.header;
  Bytes acc = {uint8_t((h.padding ? 0x20 : 0) | (h.extension ? 0x10 : 0) | h.csrc_count),
               uint8_t((h.marker ? 0x80 : 0) | h.payload_type), 0, 0,
               uint8_t(h.ts_recovery >> 24), uint8_t(h.ts_recovery >> 16), uint8_t(h.ts_recovery >> 8),
               uint8_t(h.ts_recovery), uint8_t(h.length_recovery >> 8), uint8_t(h.length_recovery)};
  acc.insert(acc.end(), fec.payload.begin(), fec.payload.end());
  for (const Bytes& o : others) xor_into(acc, bit_string(o));
  const size_t length = size_t(acc[8]) << 8 | acc[9];
  if (10 + length > acc.size()) return {};
  Bytes out = {uint8_t(0x80 | (acc[0] & 0x3f)), acc[1], uint8_t(missing >> 8), uint8_t(missing),
               acc[4], acc[5], acc[6], acc[7],
               uint8_t(ssrc >> 24), uint8_t(ssrc >> 16), uint8_t(ssrc >> 8), uint8_t(ssrc)};
  out.insert(out.end(), acc.begin() + 10, acc.begin() + 10 + ptrdiff_t(length));
  return out;
}

TEST(UlpfecSim, RepairsRebuildThePacketsAsTheyLeftAndRedIsUnwrapped) {
  constexpr uint32_t kVideoSsrc = 0x1001;
  std::map<uint16_t, Bytes> media;  // side 0's video packets as sent, inside-RED form
  std::vector<Bytes> repairs;        // side 0's ULPFEC repairs as sent
  size_t plain_video = 0, red_rtx = 0;
  TwoPeerCallOptions options;
  options.on_wire = [&](int from, const Bytes& d) {
    if (from != 0 || is_rtcp(d)) return;
    auto rtp = parse_rtp(d);
    ASSERT_TRUE(rtp.ok());
    if (rtp->header.payload_type == kRedRtx) ++red_rtx;
    if (rtp->header.ssrc != kVideoSsrc) return;
    if (rtp->header.payload_type != kRed) {
      ++plain_video;
      return;
    }
    auto block = parse_red_payload(rtp->payload);
    ASSERT_TRUE(block.ok());
    if (block->payload_type == kUlpfec) {
      repairs.push_back(d);
      return;
    }
    auto inner = packet_inside_red(d);
    ASSERT_TRUE(inner.ok());
    media[rtp->header.sequence_number] = *inner;
  };
  LinkModel link{milliseconds(50), Duration::zero(), 0.05};
  TwoPeerCall call({config_for(0), config_for(1)}, link, 31, options);
  call.run(seconds(10), seconds(11));
  ASSERT_FALSE(call.stuck());

  EXPECT_EQ(plain_video, 0u) << "every video packet goes in RED";
  EXPECT_GT(red_rtx, 0u) << "resends of RED packets use red's RTX";
  ASSERT_GT(repairs.size(), 50u);
  size_t rebuilt = 0;
  for (const Bytes& d : repairs) {
    auto rtp = parse_rtp(d);
    ASSERT_TRUE(rtp.ok());
    EXPECT_TRUE(d[0] & 0x10) << "the repair carries the transport-wide sequence number too";
    auto fec = parse_ulpfec(parse_red_payload(rtp->payload)->data);
    ASSERT_TRUE(fec.ok()) << fec.error();
    std::vector<uint16_t> covered;
    for (size_t i = 0; i < kUlpfecMaxMaskBits; ++i)
      if (fec->header.mask[i]) covered.push_back(uint16_t(fec->header.sn_base + i));
    for (uint16_t missing : covered) {
      std::vector<Bytes> others;
      for (uint16_t s : covered) {
        if (s == missing) continue;
        ASSERT_TRUE(media.contains(s)) << "a repair covers a packet never sent: " << s;
        others.push_back(media[s]);
      }
      ASSERT_TRUE(media.contains(missing));
      EXPECT_EQ(rebuild(*fec, others, missing, kVideoSsrc), media[missing]) << "sequence " << missing;
      ++rebuilt;
    }
  }
  EXPECT_GE(rebuilt, repairs.size());

  // Side 1 takes the RED media and its RTX (it ignores the ULPFEC repairs,
  // as peercall receives FlexFEC only): every frame, intact, in order.
  const sim::VideoQuality q = sim::measure(call, 1);
  const SessionStats tx = call.peer(0).session->stats();
  std::printf("[ULPFEC 5%% loss, rtt 100] %zu/%u frames, %zu repairs (%.1f%% of video bytes), %zu checked\n",
              q.delivered, call.frames_sent(), repairs.size(),
              100.0 * double(tx.video_out.fec_bytes_sent) / double(std::max<uint64_t>(1, tx.video_out.bytes)),
              rebuilt);
  EXPECT_TRUE(q.intact_and_in_order);
  EXPECT_GE(q.delivered, call.frames_sent() * 99 / 100);
  EXPECT_EQ(tx.video_out.fec_packets_sent, repairs.size());
}

}  // namespace
}  // namespace peercall
