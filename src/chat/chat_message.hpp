#pragma once
// The in-call messages, carried as JSON text on the data channel labelled
// "peercall" (the browser guest page speaks the same):
//
//   {"type":"chat","text":"hi","from":"Ann","at":1764590000000}   (at: unix ms)
//   {"type":"state","audio_muted":false,"video_off":true}
//
// Parsing is strict: an object with exactly these members and types, at most
// kMaxChatMessageBytes. A well-formed object of another "type" is not an
// error but ignored (and counted by ChatDecoder), so newer peers can add
// kinds. Text and names lose every control character (C0, DEL, C1 and the
// bidirectional overrides: nothing can move a terminal's cursor or reorder
// what is shown) and surrounding spaces; text is at most kMaxChatTextBytes
// UTF-8 bytes and not empty.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "core/result.hpp"

namespace peercall {

inline constexpr std::string_view kChatChannelLabel = "peercall";
inline constexpr size_t kMaxChatMessageBytes = 4096;  // the whole JSON text
inline constexpr size_t kMaxChatTextBytes = 2000;
inline constexpr size_t kMaxChatNameBytes = 64;

struct ChatText {
  std::string text;
  std::string from;
  int64_t at_ms = 0;  // unix time in milliseconds, as the sender's clock says
  bool operator==(const ChatText&) const = default;
};

struct PeerState {
  bool audio_muted = false;
  bool video_off = false;
  bool operator==(const PeerState&) const = default;
};

using ChatMessage = std::variant<ChatText, PeerState>;

// The JSON text for the channel; refuses what the other side would reject.
Result<std::string> write_chat_message(const ChatMessage& message);

enum class ChatParseStatus { kMessage, kUnknownType, kMalformed };

struct ChatParse {
  ChatParseStatus status = ChatParseStatus::kMalformed;
  std::optional<ChatMessage> message;  // when kMessage
  std::string error;                   // when kMalformed: one line
};

ChatParse parse_chat_message(std::string_view json);

// Removes control characters (see above) and leading/trailing spaces.
// Invalid UTF-8 bytes are removed too.
std::string sanitize_chat_text(std::string_view text);

// parse_chat_message with counts of what was not a message.
class ChatDecoder {
 public:
  std::optional<ChatMessage> decode(std::string_view json);
  uint64_t unknown_ignored() const { return unknown_ignored_; }
  uint64_t malformed_dropped() const { return malformed_dropped_; }
  const std::string& last_error() const { return last_error_; }

 private:
  uint64_t unknown_ignored_ = 0;
  uint64_t malformed_dropped_ = 0;
  std::string last_error_;
};

}  // namespace peercall
