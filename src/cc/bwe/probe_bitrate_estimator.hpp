#pragma once
// The rate a bandwidth probe showed the path carries. A probe cluster is a
// short burst sent above the estimate (padding, plus the media that left
// meanwhile); the peer's feedback says when each of its packets arrived. The
// cluster's rate on the way in is its send rate; on the way out, its receive
// rate. If the path carried the send rate, the receive rate is about the
// same; if not, the bottleneck spread the packets out and the receive rate
// is (a little above) the capacity. The probed rate is the smaller of the two
// (0.95 x the receive rate when the path clearly limited it).
//
// Padding packets are small (at most 255 octets of padding), so the IP, UDP
// and SRTP overhead is a large share of what the bottleneck carries for
// them: the rate is measured on the wire (size + `packet_overhead`) and
// given back in the estimate's units, RTP bytes of `media_packet_size` packets.
//
// A cluster is judged once all its packets are accounted for in feedback (or
// `max_wait` after it was sent, with what arrived), and only once.
#include <cstddef>
#include <map>
#include <optional>
#include <vector>

#include "cc/packet_result.hpp"
#include "core/time.hpp"

namespace peercall {

struct ProbeBitrateEstimatorConfig {
  size_t min_packets = 5;              // received packets needed for a rate
  double min_received_share = 0.8;     // of the packets sent in the cluster
  Duration max_wait = seconds(1);      // judge an incomplete cluster after this
  Duration max_interval = seconds(1);  // a longer send or receive span is not a probe
  double max_receive_over_send = 2.0;  // arrivals squeezed beyond this: not trustworthy
  double limited_ratio = 0.9;          // receive < this x send: the path limited it
  double limited_utilisation = 0.95;
  size_t packet_overhead = 40;     // IPv4/UDP 28 + SRTP tag 10-16 bytes per packet
  size_t media_packet_size = 1200;
};

struct ProbeResult {
  int cluster_id = 0;
  double bps = 0;           // the probed rate, in the estimate's units
  double send_bps = 0;      // on the wire
  double receive_bps = 0;   // on the wire
};

class ProbeBitrateEstimator {
 public:
  explicit ProbeBitrateEstimator(ProbeBitrateEstimatorConfig config = {}) : config_(config) {}

  // The sender finished cluster `id`: `packets` packets were sent in it.
  void on_cluster_sent(int id, size_t packets, Instant now);
  // One feedback report: the probed rate of every cluster it completes.
  // Clusters that cannot be judged (too few packets arrived, odd timing) are
  // dropped silently: no result means "nothing learned".
  std::vector<ProbeResult> on_feedback(const TransportFeedbackReport& report);

  size_t pending_clusters() const { return clusters_.size(); }

 private:
  struct Cluster {
    size_t sent_packets = 0;  // 0 until on_cluster_sent
    std::optional<Instant> finished_at;
    size_t received = 0, lost = 0;
    Instant first_send{}, last_send{};
    size_t last_send_size = 0;
    Instant first_arrival{}, last_arrival{};
    size_t first_arrival_size = 0;
    size_t bytes = 0;  // of the received packets, on the wire
  };
  void add(Cluster& c, const PacketResult& p);
  std::optional<ProbeResult> judge(int id, const Cluster& c) const;

  ProbeBitrateEstimatorConfig config_;
  std::map<int, Cluster> clusters_;
};

}  // namespace peercall
