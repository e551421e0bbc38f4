#include "media/file/realtime_pacer.hpp"

namespace peercall {

std::optional<Instant> RealtimePacer::wait(Duration media_time) {
  std::unique_lock lock(mu_);
  const Instant now = Clock::now();
  if (!start_) start_ = now - media_time;
  Instant due = *start_ + media_time;
  if (now > due + kMaxLateness) {
    start_ = now - media_time;
    due = now;
  }
  cv_.wait_until(lock, due, [&] { return interrupted_; });
  if (interrupted_) return std::nullopt;
  return due;
}

void RealtimePacer::interrupt() {
  {
    std::lock_guard lock(mu_);
    interrupted_ = true;
  }
  cv_.notify_all();
}

bool RealtimePacer::interrupted() const {
  std::lock_guard lock(mu_);
  return interrupted_;
}

}  // namespace peercall
