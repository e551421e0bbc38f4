#include "cc/bwe/send_group_deltas.hpp"

namespace peercall {
namespace {
// A packet that arrives this soon after the group's last one while having been
// sent later than that gap is part of a queue draining in one go; counting it
// as its own group would read as a sudden delay drop (section 5.2).
constexpr Duration kBurstArrivalGap = milliseconds(5);
constexpr Duration kMaxBurstSpan = milliseconds(100);
// An arrival gap this far off the send gap is a clock jump on the peer, not a queue.
constexpr Duration kMaxPlausibleDeltaSkew = seconds(3);
}  // namespace

bool SendGroupDeltas::joins_current(Instant send, Instant arrival) const {
  if (send - current_.first_send <= group_length_) return true;
  Duration arrival_gap = arrival - current_.last_arrival;
  Duration send_gap = send - current_.last_send;
  return arrival_gap < kBurstArrivalGap && arrival_gap < send_gap &&
         arrival - current_.first_arrival < kMaxBurstSpan;
}

std::optional<GroupDelta> SendGroupDeltas::on_packet(Instant send, Instant arrival, size_t size) {
  if (!current_.valid) {
    current_ = Group{send, send, arrival, arrival, size, true};
    return std::nullopt;
  }
  if (send < current_.first_send) return std::nullopt;
  if (joins_current(send, arrival)) {
    if (send > current_.last_send) current_.last_send = send;
    if (arrival > current_.last_arrival) current_.last_arrival = arrival;
    current_.size += size;
    return std::nullopt;
  }
  std::optional<GroupDelta> delta;
  if (previous_.valid) {
    GroupDelta d{current_.last_send - previous_.last_send,
                 current_.last_arrival - previous_.last_arrival, current_.last_arrival,
                 current_.size};
    Duration skew = d.arrival_delta - d.send_delta;
    if (d.arrival_delta < Duration::zero() || skew > kMaxPlausibleDeltaSkew ||
        skew < -kMaxPlausibleDeltaSkew) {
      // The peer's clock jumped (or the feedback is garbage): start over.
      previous_ = Group{};
      current_ = Group{send, send, arrival, arrival, size, true};
      return std::nullopt;
    }
    delta = d;
  }
  previous_ = current_;
  current_ = Group{send, send, arrival, arrival, size, true};
  return delta;
}

void SendGroupDeltas::reset() {
  current_ = Group{};
  previous_ = Group{};
}

}  // namespace peercall
