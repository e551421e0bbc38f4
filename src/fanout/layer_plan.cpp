#include "fanout/layer_plan.hpp"

#include <algorithm>
#include <climits>

namespace peercall {

void LayerPlan::set_target(const std::string& viewer, int bps, Instant now) {
  viewers_[viewer].bps = std::max(0, bps);
  last_now_ = now;
  replan(now);
}

void LayerPlan::remove(const std::string& viewer) {
  viewers_.erase(viewer);
  replan(last_now_);  // the fastest may have gone: the others are planned anew
}

void LayerPlan::replan(Instant now) {
  if (config_.max_layers < 2 || viewers_.size() < 2) {
    for (auto& [id, v] : viewers_) v.layer = 0;
    return;
  }
  int fastest = 0;
  for (const auto& [id, v] : viewers_) fastest = std::max(fastest, v.bps);
  for (auto& [id, v] : viewers_) {
    const bool fast_enough = v.bps >= config_.up_share * fastest;
    if (v.layer != 1 || !fast_enough) v.up_since.reset();
    else if (!v.up_since) v.up_since = now;
    if (v.ever_moved && now - v.moved < config_.min_dwell) continue;
    int next = v.layer;
    if (v.layer == 0 && v.bps < config_.down_share * fastest) next = 1;
    if (v.layer == 1 && fast_enough && now - *v.up_since >= config_.up_after) next = 0;
    if (next == v.layer) continue;
    v.layer = next;
    v.moved = now;
    v.ever_moved = true;
  }
  // The fastest viewer always stays on layer 0: layer 1 is never alone.
  if (viewers_on(0) == 0) {
    auto top = std::max_element(viewers_.begin(), viewers_.end(),
                                [](const auto& a, const auto& b) { return a.second.bps < b.second.bps; });
    top->second.layer = 0;
    top->second.up_since.reset();
    top->second.moved = now;
    top->second.ever_moved = true;
  }
}

int LayerPlan::layer_of(const std::string& viewer) const {
  auto it = viewers_.find(viewer);
  return it == viewers_.end() ? 0 : it->second.layer;
}

int LayerPlan::layer_bps(int layer) const {
  int lowest = INT_MAX;
  for (const auto& [id, v] : viewers_)
    if (v.layer == layer && v.bps > 0) lowest = std::min(lowest, v.bps);
  return lowest == INT_MAX ? 0 : lowest;
}

size_t LayerPlan::viewers_on(int layer) const {
  return size_t(std::count_if(viewers_.begin(), viewers_.end(), [&](const auto& v) { return v.second.layer == layer; }));
}

int LayerPlan::active_layers() const { return viewers_on(1) > 0 ? 2 : 1; }

}  // namespace peercall
