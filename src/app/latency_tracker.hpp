#pragma once
// Glass-to-glass latency samples (from the frame stamp) for the status line:
// the decoder thread adds, the reporter takes a window's percentiles.
#include <algorithm>
#include <mutex>
#include <optional>
#include <vector>

namespace peercall {

struct LatencySummary {
  size_t samples = 0;
  double p50_ms = 0;
  double p95_ms = 0;
};

class LatencyTracker {
 public:
  void add(double ms) {
    std::lock_guard lock(mu_);
    if (window_.size() < kMaxSamples) window_.push_back(ms);
  }
  // Summarises and clears the window.
  LatencySummary take() {
    std::vector<double> v;
    {
      std::lock_guard lock(mu_);
      v.swap(window_);
    }
    LatencySummary s;
    s.samples = v.size();
    if (v.empty()) return s;
    std::sort(v.begin(), v.end());
    s.p50_ms = v[v.size() / 2];
    s.p95_ms = v[std::min(v.size() - 1, v.size() * 95 / 100)];
    return s;
  }

 private:
  static constexpr size_t kMaxSamples = 1000;
  std::mutex mu_;
  std::vector<double> window_;
};

}  // namespace peercall
