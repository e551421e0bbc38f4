#include "cc/bwe/probe_bitrate_estimator.hpp"

#include <algorithm>

namespace peercall {
namespace {
constexpr size_t kMaxClusters = 16;  // a sender never has more in flight
}

void ProbeBitrateEstimator::on_cluster_sent(int id, size_t packets, Instant now) {
  Cluster& c = clusters_[id];
  c.sent_packets = packets;
  c.finished_at = now;
  while (clusters_.size() > kMaxClusters) clusters_.erase(clusters_.begin());
}

void ProbeBitrateEstimator::add(Cluster& c, const PacketResult& p) {
  if (!p.arrival) {
    ++c.lost;
    return;
  }
  if (c.received == 0 || p.send_time < c.first_send) c.first_send = p.send_time;
  if (c.received == 0 || p.send_time >= c.last_send) {
    c.last_send = p.send_time;
    c.last_send_size = p.size + config_.packet_overhead;
  }
  if (c.received == 0 || *p.arrival < c.first_arrival) {
    c.first_arrival = *p.arrival;
    c.first_arrival_size = p.size + config_.packet_overhead;
  }
  if (c.received == 0 || *p.arrival > c.last_arrival) c.last_arrival = *p.arrival;
  ++c.received;
  c.bytes += p.size + config_.packet_overhead;
}

std::optional<ProbeResult> ProbeBitrateEstimator::judge(int id, const Cluster& c) const {
  if (c.received < config_.min_packets) return std::nullopt;
  if (c.sent_packets > 0 &&
      double(c.received) < config_.min_received_share * double(c.sent_packets)) {
    return std::nullopt;
  }
  const Duration send_span = c.last_send - c.first_send;
  const Duration receive_span = c.last_arrival - c.first_arrival;
  if (send_span <= Duration::zero() || receive_span <= Duration::zero() ||
      send_span > config_.max_interval || receive_span > config_.max_interval) {
    return std::nullopt;
  }
  // The last packet sent and the first one received open/close their spans:
  // their bytes are not part of the rate over it.
  ProbeResult r;
  r.cluster_id = id;
  r.send_bps = double(c.bytes - c.last_send_size) * 8 / to_seconds(send_span);
  r.receive_bps = double(c.bytes - c.first_arrival_size) * 8 / to_seconds(receive_span);
  if (r.receive_bps > config_.max_receive_over_send * r.send_bps) return std::nullopt;
  r.bps = std::min(r.send_bps, r.receive_bps);
  if (r.receive_bps < config_.limited_ratio * r.send_bps) {
    r.bps = config_.limited_utilisation * r.receive_bps;
  }
  // On the wire -> RTP bytes of media-sized packets.
  r.bps *= double(config_.media_packet_size) /
           double(config_.media_packet_size + config_.packet_overhead);
  return r;
}

std::vector<ProbeResult> ProbeBitrateEstimator::on_feedback(const TransportFeedbackReport& report) {
  for (const PacketResult& p : report.packets) {
    if (!p.probe_cluster) continue;
    auto it = clusters_.find(*p.probe_cluster);
    if (it == clusters_.end()) {
      if (clusters_.size() >= kMaxClusters) continue;
      it = clusters_.emplace(*p.probe_cluster, Cluster{}).first;
    }
    add(it->second, p);
  }
  std::vector<ProbeResult> results;
  for (auto it = clusters_.begin(); it != clusters_.end();) {
    const Cluster& c = it->second;
    const bool complete = c.finished_at && c.received + c.lost >= c.sent_packets;
    const bool overdue = c.finished_at && report.received_at - *c.finished_at >= config_.max_wait;
    if (!complete && !overdue) {
      ++it;
      continue;
    }
    if (auto r = judge(it->first, c)) results.push_back(*r);
    it = clusters_.erase(it);
  }
  return results;
}

}  // namespace peercall
