#pragma once
// Both directions of the simulated link (a->b, b->a) behind one command
// interface, and their counters as one JSON line. Sans-I/O like its parts.
#include <optional>
#include <string>

#include "impaired_direction.hpp"
#include "netsim_command.hpp"

namespace peercall::netsim {

class ImpairedLink {
 public:
  // Each direction draws from its own stream derived from `seed`.
  ImpairedLink(const LinkSettings& a_to_b, const LinkSettings& b_to_a, uint64_t seed);

  void apply(const Command& command, Instant now);
  ImpairedDirection& a_to_b() { return a_to_b_; }
  ImpairedDirection& b_to_a() { return b_to_a_; }
  const ImpairedDirection& a_to_b() const { return a_to_b_; }
  const ImpairedDirection& b_to_a() const { return b_to_a_; }
  std::optional<Instant> next_wakeup() const;

  // {"a->b":{"packets_in":..,"packets_out":..,"dropped_loss":..,"dropped_queue":..,
  //  "dropped_outage":..,"max_queue_delay_ms":..,...},"b->a":{...}}
  std::string counters_json() const;

 private:
  ImpairedDirection a_to_b_;
  ImpairedDirection b_to_a_;
};

uint64_t direction_seed(uint64_t seed, int direction);

}  // namespace peercall::netsim
