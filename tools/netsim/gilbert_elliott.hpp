#pragma once
// Gilbert-Elliott bursty loss: a good and a bad state, each with its own loss
// probability; the chain steps once per packet.
#include "link_settings.hpp"
#include "sim_random.hpp"

namespace peercall::netsim {

class GilbertElliott {
 public:
  // New parameters keep the current state, so a change mid-burst is smooth.
  void configure(const GilbertElliottParams& params) { params_ = params; }
  bool enabled() const { return params_.enabled(); }
  bool in_bad_state() const { return bad_; }

  // Decides this packet's fate in the current state, then steps the chain.
  bool lose(SimRandom& random) {
    if (!params_.enabled()) return false;
    bool lost = random.chance(bad_ ? params_.loss_in_bad : params_.loss_in_good);
    if (bad_) bad_ = !random.chance(params_.p_bad_to_good);
    else bad_ = random.chance(params_.p_good_to_bad);
    return lost;
  }

 private:
  GilbertElliottParams params_;
  bool bad_ = false;
};

}  // namespace peercall::netsim
