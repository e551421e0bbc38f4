// Seeded Monte Carlo: frames of 10-30 packets over a path losing packets
// (media and repair alike) at random; how many frames are whole after FEC,
// with no retransmission.
#include <gtest/gtest.h>

#include <cstdio>
#include <random>

#include "fec/fec_encoder.hpp"
#include "fec/fec_receiver.hpp"
#include "fec_test_packets.hpp"

namespace peercall {
namespace {

using namespace fec_test;

struct Outcome {
  double complete_without_fec = 0;
  double complete_with_fec = 0;
  double packet_overhead = 0;
  double byte_overhead = 0;
};

// Gilbert-style losses: after a loss the next packet is lost with
// `burst_continue`; otherwise with a rate chosen so the mean stays `loss`.
Outcome run(double loss, double burst_continue, size_t assumed_burst, int frames,
            uint32_t seed, int keyframe_every = 0) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> coin(0, 1);
  std::uniform_int_distribution<size_t> frame_size(10, 30);
  const double start_loss =
      burst_continue > 0 ? loss * (1 - burst_continue) / (1 - loss) : loss;
  bool last_lost = false;
  auto lose = [&] {
    last_lost = coin(rng) < (last_lost ? burst_continue : start_loss);
    return last_lost;
  };

  FecEncoderConfig ec;
  ec.fec_ssrc = kFecSsrc;
  ec.fec_payload_type = kFecPt;
  ec.first_sequence_number = 40000;
  FecEncoder encoder(ec);
  encoder.set_loss_rate(loss, assumed_burst);
  FecReceiverConfig rc;
  rc.media_ssrc = kMediaSsrc;
  rc.fec_ssrc = kFecSsrc;
  FecReceiver receiver(rc);

  uint16_t seq = 65000;  // wraps during the run
  int whole_plain = 0, whole_fec = 0;
  for (int f = 0; f < frames; ++f) {
    const size_t n = frame_size(rng);
    const bool key = keyframe_every && f % keyframe_every == 0;
    const auto media = make_frame(seq, uint32_t(f * 3000), n, rng, false);
    seq = uint16_t(seq + n);
    auto fec = encoder.protect_frame(media, key);
    EXPECT_TRUE(fec);
    std::vector<bool> have(n, false);
    size_t got = 0;
    auto mark = [&](const std::vector<Bytes>& rebuilt) {
      for (const Bytes& p : rebuilt) {
        const uint16_t s = uint16_t(p[2] << 8 | p[3]);
        const size_t i = uint16_t(s - uint16_t(seq - n));
        if (i < n && !have[i]) {
          EXPECT_EQ(p, media[i]);
          have[i] = true;
          ++got;
        }
      }
    };
    for (size_t i = 0; i < n; ++i) {
      if (lose()) continue;
      have[i] = true;
      ++got;
      mark(receiver.on_media_packet(media[i]));
    }
    if (got == n) ++whole_plain;
    for (const Bytes& p : *fec) {
      if (!lose()) mark(receiver.on_fec_packet(p));
    }
    if (got == n) ++whole_fec;
  }
  Outcome o;
  o.complete_without_fec = double(whole_plain) / frames;
  o.complete_with_fec = double(whole_fec) / frames;
  o.packet_overhead = double(encoder.stats().fec_packets) / double(encoder.stats().media_packets);
  o.byte_overhead = encoder.stats().byte_overhead();
  return o;
}

void report(const char* name, const Outcome& o) {
  std::printf("[ FEC MC   ] %s: frames whole %.2f%% without FEC, %.2f%% with FEC; "
              "overhead %.1f%% packets, %.1f%% bytes\n",
              name, 100 * o.complete_without_fec, 100 * o.complete_with_fec,
              100 * o.packet_overhead, 100 * o.byte_overhead);
}

TEST(FecMonteCarlo, FivePercentRandomLoss) {
  const Outcome o = run(0.05, 0, 1, 2000, 8627);
  report("5% random", o);
  EXPECT_GE(o.complete_with_fec, 0.99);
  EXPECT_LT(o.complete_without_fec, 0.5);  // the loss is real
  EXPECT_LE(o.packet_overhead, 0.5);
}

TEST(FecMonteCarlo, FivePercentRandomLossWithKeyframes) {
  const Outcome o = run(0.05, 0, 1, 2000, 1234, 30);
  report("5% random, keyframe every 30", o);
  EXPECT_GE(o.complete_with_fec, 0.99);
}

TEST(FecMonteCarlo, OnePercentRandomLossCostsLittle) {
  const Outcome o = run(0.01, 0, 1, 2000, 42);
  report("1% random", o);
  EXPECT_GE(o.complete_with_fec, 0.99);
  EXPECT_LE(o.packet_overhead, 0.25);
}

TEST(FecMonteCarlo, BurstyLossWithInterleaving) {
  // Mean 5%, mean burst length 2 (continue probability 0.5).
  const Outcome bursty = run(0.05, 0.5, 3, 2000, 77);
  report("5% bursty (mean burst 2), interleaved for 3", bursty);
  EXPECT_GE(bursty.complete_with_fec, 0.95);
  EXPECT_GT(bursty.complete_with_fec, bursty.complete_without_fec + 0.3);
}

TEST(FecMonteCarlo, NoLossNoOverhead) {
  const Outcome o = run(0.0, 0, 1, 200, 5);
  EXPECT_EQ(o.complete_with_fec, 1.0);
  EXPECT_EQ(o.packet_overhead, 0.0);
}

}  // namespace
}  // namespace peercall
