#include "impaired_link.hpp"

#include <nlohmann/json.hpp>

namespace peercall::netsim {
namespace {

nlohmann::json to_json(const ImpairedDirection& d) {
  const DirectionCounters& c = d.counters();
  return {
      {"packets_in", c.packets_in},
      {"packets_out", c.packets_out},
      {"bytes_in", c.bytes_in},
      {"bytes_out", c.bytes_out},
      {"dropped_loss", c.dropped_loss},
      {"dropped_queue", c.dropped_queue},
      {"dropped_outage", c.dropped_outage},
      {"max_queue_delay_ms", static_cast<double>(to_micros(c.max_queue_delay)) / 1000.0},
      {"settings", describe(d.settings())},
  };
}

}  // namespace

uint64_t direction_seed(uint64_t seed, int direction) {
  uint64_t state = seed ^ (0x6a09e667f3bcc909ULL * static_cast<uint64_t>(direction + 1));
  return splitmix64(state);
}

ImpairedLink::ImpairedLink(const LinkSettings& a_to_b, const LinkSettings& b_to_a, uint64_t seed)
    : a_to_b_(a_to_b, direction_seed(seed, 0)), b_to_a_(b_to_a, direction_seed(seed, 1)) {}

void ImpairedLink::apply(const Command& command, Instant now) {
  for (const Change& change : command.changes) {
    if (command.which != Which::b_to_a) a_to_b_.apply(change, now);
    if (command.which != Which::a_to_b) b_to_a_.apply(change, now);
  }
}

std::optional<Instant> ImpairedLink::next_wakeup() const {
  auto a = a_to_b_.next_wakeup();
  auto b = b_to_a_.next_wakeup();
  if (!a) return b;
  if (!b) return a;
  return std::min(*a, *b);
}

std::string ImpairedLink::counters_json() const {
  nlohmann::json j = {{"a->b", to_json(a_to_b_)}, {"b->a", to_json(b_to_a_)}};
  return j.dump();
}

}  // namespace peercall::netsim
