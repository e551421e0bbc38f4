#pragma once
// How many FEC repair packets a video frame gets and which media packets
// each one covers, from the measured loss rate. Pure arithmetic, no state.
//
// The rule (target: P(frame still incomplete after FEC) < 1%, keyframes 0.25%;
// overhead capped at 50% of the frame's packets, keyframes 60%):
//  - loss < 0.05%: no FEC.
//  - Otherwise, for k = 1, 2, ... up to the cap, three layouts are scored and
//    the first k where one meets the target wins (the best-scoring one at that
//    k); if none does within the cap, the smallest k scoring within 25% of the
//    best score within the cap (beyond it more repairs buy almost nothing).
//    * interleaved: repair j covers packets i with i mod k == j (1-D parity).
//      Scored exactly: every group must lose at most one of its packets + repair.
//    * grid: L columns (i mod L, interleaved) and D rows (i / L, consecutive),
//      k = L + D: every packet is covered twice, so the receiver's iterative
//      recovery repairs most multi-loss patterns (RFC 8627 section 1.1.3, 2-D).
//    * pairs: every packet covered by a distinct pair of the k repairs
//      (circulant pairs; beyond k(k-1)/2 packets the rest once), for small
//      frames where a grid costs too much.
//    The two-cover layouts are scored by a union bound over the smallest loss
//    patterns iterative recovery cannot undo: a packet and both its repairs
//    (p^3), three packets whose repairs form a triangle (p^3), two packets
//    sharing a repair plus their two other repairs (p^4), four packets on a
//    4-cycle of repairs (p^4), plus p^2 for a once-covered packet; within
//    about 25% of a Monte Carlo for 10..30 packets.
//    XOR parity cannot reach the target for frames of fewer than ~10 packets
//    within the cap (at 5% loss a 4-packet frame with 2 repairs fails ~1.5%):
//    those get the cap.
//  - Bursts: with burst_length b > 1 only layouts that spread any b
//    consecutive packets over b different repairs are used (interleaved with
//    k >= b, grid with L >= b).
//  - Frames of more than policy.max_mask_bits packets (110, the longest
//    flexible mask; 48 for ULPFEC) are cut into near-equal chunks planned alone.
#include <cstddef>
#include <vector>

namespace peercall {

enum class FecLayout { kNone, kInterleaved, kGrid, kPairs };

struct FecProtectionPlan {
  FecLayout layout = FecLayout::kNone;
  // One entry per repair packet: indices into the frame's packets, ascending.
  std::vector<std::vector<size_t>> groups;
  double estimated_failure = 0;  // of the worst chunk, by the score above
};

struct FecProtectionPolicy {
  double target_failure = 0.01;
  double keyframe_target_failure = 0.0025;
  double max_overhead = 0.5;
  double keyframe_max_overhead = 0.6;
  double min_loss = 0.0005;
  // The longest run of packets one repair can name: FlexFEC's flexible mask
  // 110, ULPFEC's long mask 48. Longer frames are cut into chunks.
  size_t max_mask_bits = 110;
};

FecProtectionPlan plan_protection(size_t packets, double loss_rate, size_t burst_length,
                                  bool keyframe, const FecProtectionPolicy& policy = {});

}  // namespace peercall
