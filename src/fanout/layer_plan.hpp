#pragma once
// Simulcast for a stream with several viewers: which encoding each viewer
// gets and at what rate each encoding runs. One viewer on a bad link must not
// ruin the picture of the others (issue 10), and one encoding can only follow
// one rate: so a viewer whose link carries less than half of the fastest
// viewer's moves to a second, lower encoding (its own rate, and a size the
// resolution ladder picks for it), and moves back once its link carries 70%.
//   layer 0: the slowest rate among the viewers on it (all within 2x of the
//            fastest), so none of them is pushed past its link;
//   layer 1: likewise among the slow viewers; off (0) when nobody is on it.
// A move costs a keyframe on the layer moved to, so a viewer stays at least
// `min_dwell` on a layer, and moves up only once its rate has qualified for
// `up_after` (one probe's optimistic estimate must not send a big keyframe
// down a link that cannot take it). With one viewer (a call) there is only
// layer 0.
// Sans-I/O: fed each viewer's congestion-control target and the instant.
#include <map>
#include <optional>
#include <string>

#include "core/time.hpp"

namespace peercall {

struct LayerPlanConfig {
  int max_layers = 2;         // 1: one encoding for all (--layers 1)
  double down_share = 0.5;    // to layer 1 below this share of the fastest viewer's rate
  double up_share = 0.7;      // back to layer 0 at this share
  Duration min_dwell = seconds(2);
  Duration up_after = seconds(2);
};

class LayerPlan {
 public:
  static constexpr int kMaxLayers = 2;

  explicit LayerPlan(LayerPlanConfig config = {}) : config_(config) {}

  // A viewer's video target (bit/s) from its congestion control; a new
  // viewer starts on layer 0.
  void set_target(const std::string& viewer, int bps, Instant now);
  void remove(const std::string& viewer);
  // The layer the viewer should get (0 for one not known).
  int layer_of(const std::string& viewer) const;
  // The encoding's rate: the slowest viewer's on it; 0 = nobody on it (off).
  // Layer 0 with no target yet: 0 too (the encoder keeps its configured rate).
  int layer_bps(int layer) const;
  int active_layers() const;
  size_t viewers_on(int layer) const;

 private:
  struct Viewer {
    int bps = 0;
    int layer = 0;
    Instant moved{};
    bool ever_moved = false;
    std::optional<Instant> up_since;  // on layer 1, fast enough for layer 0 since then
  };
  void replan(Instant now);

  LayerPlanConfig config_;
  std::map<std::string, Viewer> viewers_;
  Instant last_now_{};  // of the last target: a viewer leaving replans at it
};

}  // namespace peercall
