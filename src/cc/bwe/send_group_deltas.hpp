#pragma once
// Groups received packets into send-time bursts and reports, for each pair of
// consecutive complete groups, how far apart they were sent and how far apart
// they arrived (draft-ietf-rmcat-gcc-02, section 5.2). A video frame leaves the
// pacer as a burst, so measuring per group instead of per packet removes the
// pacer's own spacing from the delay signal.
#include <cstddef>
#include <optional>

#include "core/time.hpp"

namespace peercall {

struct GroupDelta {
  Duration send_delta{};     // last send of this group - last send of the previous one
  Duration arrival_delta{};  // the same on the peer's clock
  Instant arrival{};         // last arrival of this group (peer's clock)
  size_t size = 0;           // bytes of this group
};

class SendGroupDeltas {
 public:
  explicit SendGroupDeltas(Duration group_length = milliseconds(5)) : group_length_(group_length) {}

  // One received packet, in send order. When it opens a new group, returns the
  // delta between the two groups completed before it. A packet sent before the
  // current group (reordered in the feedback) is ignored.
  std::optional<GroupDelta> on_packet(Instant send, Instant arrival, size_t size);

  // Forgets all groups, e.g. after an outage or a jump of the peer's clock.
  void reset();

 private:
  struct Group {
    Instant first_send{}, last_send{};
    Instant first_arrival{}, last_arrival{};
    size_t size = 0;
    bool valid = false;
  };
  bool joins_current(Instant send, Instant arrival) const;

  Duration group_length_;
  Group current_;
  Group previous_;
};

}  // namespace peercall
