#pragma once
// Drives an ImpairedDirection on a virtual clock: offers numbered packets at
// given instants, polls exactly at every wakeup it announces, and records what
// came out and when. Also checks that poll never delivers early or late.
#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <vector>

#include "impaired_direction.hpp"
#include "netsim_command.hpp"

namespace peercall::netsim::test {

inline Instant at_ms(double ms) { return instant_from_micros(static_cast<int64_t>(ms * 1000)); }
inline double ms_between(Instant from, Instant to) { return to_micros(to - from) / 1000.0; }

struct Delivered {
  uint32_t id;
  Instant sent;
  Instant due;
  size_t size;
};

class VirtualLinkRun {
 public:
  explicit VirtualLinkRun(ImpairedDirection& direction) : dir_(direction) {}

  // Optional schedule, applied at its instants as the clock passes them.
  void use_schedule(ScheduleRunner runner) { schedule_ = std::move(runner); }

  void send(uint32_t id, size_t size, Instant now) {
    advance_to(now);
    Bytes b(std::max<size_t>(size, 4), 0);
    std::memcpy(b.data(), &id, 4);
    sent_[id] = now;
    dir_.enqueue(std::move(b), now);
  }

  // Runs every event up to and including `t`.
  void advance_to(Instant t) {
    for (;;) {
      std::optional<Instant> wake = dir_.next_wakeup();
      std::optional<Instant> change = schedule_.next_wakeup();
      if (change && (!wake || *change <= *wake) && *change <= t) {
        for (const Command& c : schedule_.due(*change))
          for (const Change& ch : c.changes) dir_.apply(ch, *change);
        continue;
      }
      if (!wake || *wake > t) break;
      collect(dir_.poll(*wake), *wake);
    }
    collect(dir_.poll(t), t);
  }

  void finish() {
    while (auto wake = dir_.next_wakeup()) advance_to(*wake);
  }

  const std::vector<Delivered>& delivered() const { return out_; }

 private:
  void collect(std::vector<DuePacket> packets, Instant now) {
    for (auto& p : packets) {
      uint32_t id;
      std::memcpy(&id, p.bytes.data(), 4);
      EXPECT_LE(p.due, now);
      // Polled at every wakeup: nothing may come out later than it was due.
      EXPECT_EQ(p.due, now) << "packet " << id << " delivered late";
      out_.push_back(Delivered{id, sent_[id], p.due, p.bytes.size()});
    }
  }

  ImpairedDirection& dir_;
  ScheduleRunner schedule_;
  std::map<uint32_t, Instant> sent_;
  std::vector<Delivered> out_;
};

// Settings from words, as a command would set them: "delay=100ms loss=5%".
inline LinkSettings settings_of(const std::string& words) {
  LinkSettings s;
  auto cmd = parse_command(words);
  EXPECT_TRUE(cmd.ok()) << cmd.error();
  if (cmd)
    for (const Change& c : cmd->changes) apply_setting(s, c);
  return s;
}

}  // namespace peercall::netsim::test
