#include "chat/chat_message.hpp"

#include <nlohmann/json.hpp>

namespace peercall {
namespace {

using Json = nlohmann::ordered_json;

// Decodes one UTF-8 sequence at text[i]; 0 length means invalid.
size_t utf8_sequence(std::string_view text, size_t i, uint32_t& cp) {
  uint8_t c = static_cast<uint8_t>(text[i]);
  size_t extra;
  if (c < 0x80) {
    cp = c;
    return 1;
  } else if ((c & 0xE0) == 0xC0) {
    extra = 1, cp = c & 0x1F;
  } else if ((c & 0xF0) == 0xE0) {
    extra = 2, cp = c & 0x0F;
  } else if ((c & 0xF8) == 0xF0) {
    extra = 3, cp = c & 0x07;
  } else {
    return 0;
  }
  if (i + extra >= text.size()) return 0;
  for (size_t k = 1; k <= extra; ++k) {
    uint8_t cc = static_cast<uint8_t>(text[i + k]);
    if ((cc & 0xC0) != 0x80) return 0;
    cp = cp << 6 | (cc & 0x3F);
  }
  static constexpr uint32_t kMin[] = {0, 0x80, 0x800, 0x10000};
  if (cp < kMin[extra] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return extra + 1;
}

bool is_control(uint32_t cp) {
  return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) ||  // C0, DEL, C1
         (cp >= 0x202A && cp <= 0x202E) ||           // bidi embeddings and overrides
         (cp >= 0x2066 && cp <= 0x2069) ||           // bidi isolates
         cp == 0x200E || cp == 0x200F || cp == 0x061C;  // direction marks
}

// Exactly these members, no others.
bool has_exactly(const Json& object, std::initializer_list<const char*> keys) {
  if (object.size() != keys.size()) return false;
  for (const char* key : keys)
    if (!object.contains(key)) return false;
  return true;
}

ChatParse malformed(std::string why) {
  ChatParse p;
  p.status = ChatParseStatus::kMalformed;
  p.error = "chat: " + std::move(why);
  return p;
}

ChatParse parsed(ChatMessage message) {
  ChatParse p;
  p.status = ChatParseStatus::kMessage;
  p.message = std::move(message);
  return p;
}

ChatParse parse_chat(const Json& j) {
  if (!has_exactly(j, {"type", "text", "from", "at"}))
    return malformed("a chat message has exactly type, text, from and at");
  if (!j["text"].is_string() || !j["from"].is_string())
    return malformed("text and from must be strings");
  if (!j["at"].is_number_integer()) return malformed("at must be an integer (unix ms)");
  const auto& raw_text = j["text"].get_ref<const std::string&>();
  const auto& raw_from = j["from"].get_ref<const std::string&>();
  if (raw_text.size() > kMaxChatTextBytes)
    return malformed("text over " + std::to_string(kMaxChatTextBytes) + " bytes");
  if (raw_from.size() > kMaxChatNameBytes)
    return malformed("from over " + std::to_string(kMaxChatNameBytes) + " bytes");
  int64_t at = j["at"].is_number_unsigned() && j["at"].get<uint64_t>() > uint64_t(INT64_MAX)
                   ? -1
                   : j["at"].get<int64_t>();
  if (at < 0) return malformed("at must not be negative");
  ChatText chat{sanitize_chat_text(raw_text), sanitize_chat_text(raw_from), at};
  if (chat.text.empty()) return malformed("empty text");
  return parsed(std::move(chat));
}

ChatParse parse_state(const Json& j) {
  if (!has_exactly(j, {"type", "audio_muted", "video_off"}))
    return malformed("a state message has exactly type, audio_muted and video_off");
  if (!j["audio_muted"].is_boolean() || !j["video_off"].is_boolean())
    return malformed("audio_muted and video_off must be booleans");
  return parsed(PeerState{j["audio_muted"].get<bool>(), j["video_off"].get<bool>()});
}

}  // namespace

std::string sanitize_chat_text(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    uint32_t cp = 0;
    size_t n = utf8_sequence(text, i, cp);
    if (n == 0) {
      ++i;  // not UTF-8: dropped
      continue;
    }
    if (!is_control(cp)) out.append(text.substr(i, n));
    i += n;
  }
  size_t first = out.find_first_not_of(' ');
  if (first == std::string::npos) return {};
  size_t last = out.find_last_not_of(' ');
  return out.substr(first, last - first + 1);
}

Result<std::string> write_chat_message(const ChatMessage& message) {
  Json j;
  if (const auto* chat = std::get_if<ChatText>(&message)) {
    std::string text = sanitize_chat_text(chat->text);
    std::string from = sanitize_chat_text(chat->from);
    if (text.empty()) return Error("chat: empty text");
    if (text.size() > kMaxChatTextBytes)
      return Error("chat: text of " + std::to_string(text.size()) + " bytes is over " +
                   std::to_string(kMaxChatTextBytes));
    if (from.size() > kMaxChatNameBytes)
      return Error("chat: name over " + std::to_string(kMaxChatNameBytes) + " bytes");
    if (chat->at_ms < 0) return Error("chat: negative time");
    j["type"] = "chat";
    j["text"] = std::move(text);
    j["from"] = std::move(from);
    j["at"] = chat->at_ms;
  } else {
    const auto& state = std::get<PeerState>(message);
    j["type"] = "state";
    j["audio_muted"] = state.audio_muted;
    j["video_off"] = state.video_off;
  }
  // Sanitised strings are valid UTF-8; "replace" only guarantees dump() never throws.
  std::string out = j.dump(-1, ' ', false, Json::error_handler_t::replace);
  if (out.size() > kMaxChatMessageBytes)
    return Error("chat: message of " + std::to_string(out.size()) + " bytes is over " +
                 std::to_string(kMaxChatMessageBytes));
  return out;
}

ChatParse parse_chat_message(std::string_view json) {
  if (json.size() > kMaxChatMessageBytes)
    return malformed("message of " + std::to_string(json.size()) + " bytes is over " +
                     std::to_string(kMaxChatMessageBytes));
  // No exceptions: a parse error (including invalid UTF-8) yields "discarded".
  Json j = Json::parse(json.begin(), json.end(), nullptr, false);
  if (j.is_discarded()) return malformed("not JSON");
  if (!j.is_object()) return malformed("not a JSON object");
  auto type = j.find("type");
  if (type == j.end() || !type->is_string()) return malformed("no type");
  const auto& name = type->get_ref<const std::string&>();
  if (name == "chat") return parse_chat(j);
  if (name == "state") return parse_state(j);
  ChatParse unknown;
  unknown.status = ChatParseStatus::kUnknownType;
  return unknown;
}

std::optional<ChatMessage> ChatDecoder::decode(std::string_view json) {
  ChatParse p = parse_chat_message(json);
  switch (p.status) {
    case ChatParseStatus::kMessage:
      return std::move(p.message);
    case ChatParseStatus::kUnknownType:
      ++unknown_ignored_;
      return std::nullopt;
    case ChatParseStatus::kMalformed:
      ++malformed_dropped_;
      last_error_ = std::move(p.error);
      return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace peercall
