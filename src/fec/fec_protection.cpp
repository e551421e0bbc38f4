#include "fec/fec_protection.hpp"

#include <algorithm>
#include <cmath>

#include "fec/flexfec_packet.hpp"

namespace peercall {
namespace {

using Groups = std::vector<std::vector<size_t>>;

struct Candidate {
  FecLayout layout = FecLayout::kNone;
  Groups groups;
  double failure = 1.0;
};

Groups interleaved(size_t n, size_t k) {
  Groups g(k);
  for (size_t i = 0; i < n; ++i) g[i % k].push_back(i);
  return g;
}

// Exact: a group of m packets and its repair survives at most one loss.
double score_interleaved(const Groups& groups, double p) {
  double ok = 1.0;
  for (const auto& g : groups) {
    const double m = double(g.size());
    ok *= std::pow(1 - p, m + 1) + (m + 1) * p * std::pow(1 - p, m);
  }
  return 1.0 - ok;
}

Groups grid(size_t n, size_t columns) {
  const size_t rows = (n + columns - 1) / columns;
  Groups g(columns + rows);
  for (size_t i = 0; i < n; ++i) {
    g[i % columns].push_back(i);
    g[columns + i / columns].push_back(i);
  }
  return g;
}

// Packet i is the i-th distinct pair (a, a + d mod k), d = 1, 2, ...; packets
// beyond the k(k-1)/2 pairs are covered once, round robin.
Groups pairs(size_t n, size_t k) {
  Groups g(k);
  size_t i = 0;
  for (size_t d = 1; d <= k / 2 && i < n; ++d) {
    for (size_t a = 0; a < k && i < n; ++a) {
      if (2 * d == k && a >= k / 2) break;  // (a, a + k/2) once
      g[a].push_back(i);
      g[(a + d) % k].push_back(i);
      ++i;
    }
  }
  for (size_t v = 0; i < n; ++i, v = (v + 1) % k) g[v].push_back(i);
  for (auto& group : g) std::sort(group.begin(), group.end());
  return g;
}

// Union bound over the smallest stopping sets of a code where every packet is
// in one or two repairs (repairs = vertices, twice-covered packets = edges).
// Costs O(k^2 + sum of squared degrees), so planning a large keyframe is cheap.
double score_cover(const Groups& groups, size_t n, double p) {
  const size_t k = groups.size();
  std::vector<std::vector<size_t>> owners(n);
  for (size_t v = 0; v < k; ++v) {
    for (size_t i : groups[v]) owners[i].push_back(v);
  }
  const double p2 = p * p, p3 = p2 * p, p4 = p3 * p;
  std::vector<double> adj(k * k, 0), common(k * k, 0);
  std::vector<std::vector<size_t>> neighbours(k);
  double singles = 0, edges = 0;  // singles: P(a once-covered packet is lost for good), roughly
  for (const auto& o : owners) {
    if (o.empty() || o.size() > 2) return 1.0;
    if (o.size() == 1) {
      // Its repair lost, or another of that repair's packets lost and not
      // repaired elsewhere (that one's other repair lost too).
      singles += p2 + double(groups[o[0]].size() - 1) * p3;
      continue;
    }
    const size_t u = std::min(o[0], o[1]), v = std::max(o[0], o[1]);
    adj[u * k + v] += 1;
    neighbours[u].push_back(v);
    neighbours[v].push_back(u);
    edges += 1;
  }
  double paths = 0;
  for (const auto& around : neighbours) {
    const double degree = double(around.size());
    paths += degree * (degree - 1) / 2;
    for (size_t i = 0; i < around.size(); ++i) {
      for (size_t j = i + 1; j < around.size(); ++j) {
        const size_t u = std::min(around[i], around[j]), v = std::max(around[i], around[j]);
        if (u != v) common[u * k + v] += 1;
      }
    }
  }
  double multi = 0, triangles = 0, squares = 0;
  for (size_t u = 0; u < k; ++u) {
    for (size_t v = u + 1; v < k; ++v) {
      const double a = adj[u * k + v], c = common[u * k + v];
      multi += a * (a - 1) / 2;
      triangles += a * c;
      squares += c * (c - 1) / 2;
    }
  }
  triangles /= 3;  // seen from each of its edges
  squares /= 2;    // each 4-cycle has two diagonals
  return std::min(1.0, singles + multi * p2 + (edges + triangles) * p3 + (paths + squares) * p4);
}

Candidate best_at(size_t n, size_t k, double p, size_t burst) {
  Candidate best;
  auto consider = [&](FecLayout layout, Groups groups, double failure) {
    if (!groups.empty() && failure < best.failure) {
      best = Candidate{layout, std::move(groups), failure};
    }
  };
  if (k >= std::min(burst, n) && k <= n) {
    Groups g = interleaved(n, k);
    const double s = score_interleaved(g, p);
    consider(FecLayout::kInterleaved, std::move(g), s);
  }
  for (size_t columns = std::max<size_t>(2, burst); columns < n; ++columns) {
    const size_t rows = (n + columns - 1) / columns;
    if (rows < 2 || columns + rows != k) continue;
    Groups g = grid(n, columns);
    const double s = score_cover(g, n, p);
    consider(FecLayout::kGrid, std::move(g), s);
  }
  if (burst <= 1 && k >= 3 && n > k) {
    Groups g = pairs(n, k);
    const double s = score_cover(g, n, p);
    consider(FecLayout::kPairs, std::move(g), s);
  }
  return best;
}

Candidate plan_chunk(size_t n, double p, size_t burst, double target, double max_overhead) {
  const size_t cap = std::max<size_t>(1, size_t(std::floor(double(n) * max_overhead)));
  std::vector<Candidate> by_k;
  double best = 1.0;
  for (size_t k = 1; k <= cap; ++k) {
    Candidate c = best_at(n, k, p, burst);
    if (c.groups.empty()) continue;
    if (c.failure < target) return c;
    best = std::min(best, c.failure);
    by_k.push_back(std::move(c));
  }
  // Target out of reach: the cheapest plan nearly as good as the best, since
  // past a point more repairs of this kind buy almost nothing.
  for (Candidate& c : by_k) {
    if (c.failure <= best * 1.25) return std::move(c);
  }
  return {};
}

}  // namespace

FecProtectionPlan plan_protection(size_t packets, double loss, size_t burst, bool keyframe,
                                  const FecProtectionPolicy& policy) {
  FecProtectionPlan plan;
  if (packets == 0 || !(loss >= policy.min_loss)) return plan;
  const double p = std::min(loss, 0.5);
  const double target = keyframe ? policy.keyframe_target_failure : policy.target_failure;
  const double overhead = keyframe ? policy.keyframe_max_overhead : policy.max_overhead;
  burst = std::max<size_t>(1, burst);

  const size_t mask = std::clamp<size_t>(policy.max_mask_bits, 1, kFlexFecMaxMaskBits);
  const size_t chunks = (packets + mask - 1) / mask;
  size_t start = 0;
  for (size_t c = 0; c < chunks; ++c) {
    const size_t size = (packets - start) / (chunks - c);
    Candidate chunk = plan_chunk(size, p, burst, target, overhead);
    if (chunk.groups.empty()) continue;
    if (plan.layout == FecLayout::kNone) plan.layout = chunk.layout;
    plan.estimated_failure = std::max(plan.estimated_failure, chunk.failure);
    for (auto& group : chunk.groups) {
      for (size_t& i : group) i += start;
      plan.groups.push_back(std::move(group));
    }
    start += size;
  }
  return plan;
}

}  // namespace peercall
