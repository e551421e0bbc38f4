#pragma once
// What of the encoded video goes to one viewer: the frames of its layer
// (layer_plan.hpp), a move to another layer at that layer's next keyframe
// (until then it keeps the old one: no gap), and a hold when its link
// collapsed while other viewers share the encoding (congestion_controller's
// pause, which would otherwise stop the picture for everyone).
//
// Frames are withheld before the viewer's session numbers them, so the
// viewer sees no sequence gap: every withheld stretch therefore ends on a
// keyframe, and until then the forwarder says which layer's keyframe it waits
// for (the caller asks that encoder, throttled). Sans-I/O.
#include <cstdint>
#include <optional>

#include "core/time.hpp"

namespace peercall {

struct LayerForwarderStats {
  uint64_t frames_withheld = 0;  // not sent during a hold, or waiting for a keyframe
  uint64_t switches = 0;         // moves between layers
  uint64_t holds = 0;
};

class LayerForwarder {
 public:
  explicit LayerForwarder(int layer = 0) : layer_(layer) {}

  // From the next keyframe of `layer` on, this viewer gets `layer`.
  void want_layer(int layer);
  // Nothing for `d` (its link's queue drains), then a keyframe.
  void hold(Duration d, Instant now);
  // The queue drained before `d` ran out: the keyframe may come now. False
  // when it was not held.
  bool release(Instant now);
  // Whether this frame (of `layer`) goes to the viewer.
  bool admit(int layer, bool keyframe, Instant now);
  // The layer whose keyframe the viewer waits for, if any.
  std::optional<int> keyframe_wanted(Instant now) const;

  int layer() const { return layer_; }
  // The layer it is moving to (or is on).
  int target_layer() const { return pending_.value_or(layer_); }
  const LayerForwarderStats& stats() const { return stats_; }

 private:
  int layer_;
  std::optional<int> pending_;     // a move, done at that layer's keyframe
  std::optional<Instant> held_until_;
  bool needs_keyframe_ = false;    // a hold ended: the next frame sent must be a keyframe
  LayerForwarderStats stats_;
};

}  // namespace peercall
