#pragma once
// The commands that change the link while it runs, from --schedule or stdin:
//   [a->b | b->a | both] WORD...     e.g. "a->b loss=5%", "both down 2s", "rate=300"
// and the schedule "T:COMMAND;T:COMMAND" (T in seconds from "ready").
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "core/time.hpp"
#include "link_settings.hpp"

namespace peercall::netsim {

enum class Which { a_to_b, b_to_a, both };

struct Command {
  Which which = Which::both;
  std::vector<Change> changes;
};

// Blank text is an error here; callers skip blank lines and comments.
Result<Command> parse_command(std::string_view line);

struct ScheduledCommand {
  Duration at;  // from the start of the schedule
  Command command;
};

// "0:rate=2000;10:rate=300;30:a->b rate=2000 loss=1%", sorted by time.
Result<std::vector<ScheduledCommand>> parse_schedule(std::string_view text);

// Hands out the schedule's commands as their instants pass (sans-I/O).
class ScheduleRunner {
 public:
  ScheduleRunner() = default;
  ScheduleRunner(std::vector<ScheduledCommand> entries, Instant start);
  // The commands due at or before `now`, in schedule order, each once.
  std::vector<Command> due(Instant now);
  std::optional<Instant> next_wakeup() const;

 private:
  std::vector<ScheduledCommand> entries_;
  size_t next_ = 0;
  Instant start_{};
};

}  // namespace peercall::netsim
