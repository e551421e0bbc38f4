#pragma once
// How lossy the path to the peer is, for sizing FlexFEC: the fraction of
// packets lost and the typical run of consecutive losses. From transport-wide
// feedback when negotiated (every packet, every ~50 ms: the last `window`
// outcomes), else from the peer's receiver reports (fraction lost, smoothed;
// bursts unknown, taken as 1).
#include <cstddef>
#include <deque>
#include <optional>

#include "cc/packet_result.hpp"

namespace peercall {

class LinkLossEstimator {
 public:
  explicit LinkLossEstimator(size_t window = 500) : window_(window) {}

  void on_feedback(const TransportFeedbackReport& report);
  // RTCP RR fraction lost (0..1) of a stream we send.
  void on_fraction_lost(double fraction);

  // A capacity collapse: the losses so far were the queue overflowing, not
  // the link's own loss, and FEC sized for them would only fill the link that
  // just shrank. Forgets them, and the outcomes of packets sent before `now`.
  void restart(Instant now);

  double loss_rate() const;
  size_t burst_length() const;
  bool from_feedback() const { return !outcomes_.empty(); }

 private:
  size_t window_;
  std::deque<bool> outcomes_;  // true: lost, in transport-sequence order
  size_t lost_ = 0;
  size_t runs_ = 0;  // maximal runs of losses in the window
  std::optional<double> reported_;  // smoothed RR fraction lost
  std::optional<Instant> ignore_sent_before_;
};

}  // namespace peercall
