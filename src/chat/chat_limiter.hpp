#pragma once
// Rate and size limits for chat messages, used on both sides of the channel:
// on send (a stuck key does not flood the peer) and on receive (a flooding
// peer's extra messages are dropped, counted, and never reach the screen).
// A token bucket: `rate` messages per second on average, `burst` at once.
// Sans-I/O: the caller passes the Instant.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "chat/chat_message.hpp"
#include "core/time.hpp"

namespace peercall {

struct ChatLimits {
  double rate_per_second = 5;
  double burst = 10;
  size_t max_bytes = kMaxChatMessageBytes;
};

enum class ChatVerdict { kAllowed, kFlood, kOversized };

class ChatLimiter {
 public:
  explicit ChatLimiter(ChatLimits limits = {});

  // Whether a message of `bytes` may pass now; a refused one costs no token.
  ChatVerdict admit(size_t bytes, Instant now);

  uint64_t allowed() const { return allowed_; }
  uint64_t flood_dropped() const { return flood_dropped_; }
  uint64_t oversized() const { return oversized_; }
  // "flood dropped N, oversized N" (for the status line and the log).
  std::string summary() const;

 private:
  ChatLimits limits_;
  double tokens_;
  std::optional<Instant> last_;
  uint64_t allowed_ = 0;
  uint64_t flood_dropped_ = 0;
  uint64_t oversized_ = 0;
};

}  // namespace peercall
