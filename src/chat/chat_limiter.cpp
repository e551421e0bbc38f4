#include "chat/chat_limiter.hpp"

#include <algorithm>

namespace peercall {

ChatLimiter::ChatLimiter(ChatLimits limits) : limits_(limits), tokens_(limits.burst) {}

ChatVerdict ChatLimiter::admit(size_t bytes, Instant now) {
  if (bytes > limits_.max_bytes) {
    ++oversized_;
    return ChatVerdict::kOversized;
  }
  // Refill for the time since the last call (none for a clock going backwards).
  if (last_ && now > *last_)
    tokens_ = std::min(limits_.burst, tokens_ + to_seconds(now - *last_) * limits_.rate_per_second);
  if (!last_ || now > *last_) last_ = now;
  if (tokens_ < 1.0) {
    ++flood_dropped_;
    return ChatVerdict::kFlood;
  }
  tokens_ -= 1.0;
  ++allowed_;
  return ChatVerdict::kAllowed;
}

std::string ChatLimiter::summary() const {
  return "flood dropped " + std::to_string(flood_dropped_) + ", oversized " +
         std::to_string(oversized_);
}

}  // namespace peercall
