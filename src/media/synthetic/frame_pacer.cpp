#include "media/synthetic/frame_pacer.hpp"

namespace peercall {

FramePacer::FramePacer(int frames_per_second) : rate_(frames_per_second > 0 ? frames_per_second : 1) {}

Duration FramePacer::offset_of(uint64_t index) const {
  // Whole seconds plus the remainder, so 1/30 s never accumulates rounding.
  constexpr int64_t kNs = 1'000'000'000;
  const auto rate = static_cast<uint64_t>(rate_);
  return std::chrono::duration_cast<Duration>(std::chrono::nanoseconds(
      static_cast<int64_t>(index / rate) * kNs + static_cast<int64_t>(index % rate) * kNs / rate_));
}

std::optional<FramePacer::Tick> FramePacer::wait_next() {
  if (!start_) start_ = Clock::now();
  const Instant due = *start_ + offset_of(next_index_);
  {
    std::unique_lock lock(mu_);
    if (cv_.wait_until(lock, due, [&] { return interrupted_; })) return std::nullopt;
  }
  const Instant now = Clock::now();
  if (now - due <= offset_of(1)) return Tick{next_index_++, due};
  start_ = now - offset_of(next_index_);
  return Tick{next_index_++, now};
}

void FramePacer::interrupt() {
  {
    std::lock_guard lock(mu_);
    interrupted_ = true;
  }
  cv_.notify_all();
}

}  // namespace peercall
