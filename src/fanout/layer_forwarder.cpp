#include "fanout/layer_forwarder.hpp"

namespace peercall {

void LayerForwarder::want_layer(int layer) {
  if (layer == layer_) {
    pending_.reset();  // moved back before the move was made
    return;
  }
  pending_ = layer;
}

void LayerForwarder::hold(Duration d, Instant now) {
  held_until_ = now + d;
  needs_keyframe_ = true;
  ++stats_.holds;
}

bool LayerForwarder::release(Instant now) {
  if (!held_until_ || now >= *held_until_) return false;
  held_until_ = now;
  return true;
}

bool LayerForwarder::admit(int layer, bool keyframe, Instant now) {
  if (held_until_ && now >= *held_until_) held_until_.reset();
  const bool mine = layer == layer_;
  if (held_until_) {
    if (mine) ++stats_.frames_withheld;
    return false;
  }
  if (pending_ && layer == *pending_ && keyframe) {
    layer_ = *pending_;
    pending_.reset();
    needs_keyframe_ = false;
    ++stats_.switches;
    return true;
  }
  if (!mine) return false;
  if (needs_keyframe_ && !keyframe) {
    ++stats_.frames_withheld;
    return false;
  }
  needs_keyframe_ = false;
  return true;
}

std::optional<int> LayerForwarder::keyframe_wanted(Instant now) const {
  if (held_until_ && now < *held_until_) return std::nullopt;  // not yet: it would be withheld
  if (pending_) return *pending_;
  if (needs_keyframe_) return layer_;
  return std::nullopt;
}

}  // namespace peercall
