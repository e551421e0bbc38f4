#include <gtest/gtest.h>

#include "chat/chat_limiter.hpp"
#include "chat/chat_message.hpp"

namespace peercall {
namespace {

const Instant kStart = instant_from_micros(5'000'000);

ChatMessage parse_ok(std::string_view json) {
  ChatParse p = parse_chat_message(json);
  EXPECT_EQ(p.status, ChatParseStatus::kMessage) << json << ": " << p.error;
  return p.message.value_or(ChatMessage{});
}

TEST(ChatMessage, ChatRoundTrips) {
  ChatText chat{"hello there \xe2\x82\xac \"quoted\"", "Ann", 1764590000123};
  auto json = write_chat_message(chat);
  ASSERT_TRUE(json.ok()) << json.error();
  EXPECT_EQ(*json,
            "{\"type\":\"chat\",\"text\":\"hello there \xe2\x82\xac \\\"quoted\\\"\","
            "\"from\":\"Ann\",\"at\":1764590000123}");
  EXPECT_EQ(std::get<ChatText>(parse_ok(*json)), chat);
}

TEST(ChatMessage, StateRoundTrips) {
  for (bool muted : {false, true})
    for (bool off : {false, true}) {
      PeerState state{muted, off};
      auto json = write_chat_message(state);
      ASSERT_TRUE(json.ok());
      EXPECT_EQ(std::get<PeerState>(parse_ok(*json)), state);
    }
  EXPECT_EQ(*write_chat_message(PeerState{true, false}),
            "{\"type\":\"state\",\"audio_muted\":true,\"video_off\":false}");
}

TEST(ChatMessage, BrowserStyleJsonParses) {
  // Member order and spacing as JSON.stringify or a person may write them.
  auto m = parse_ok(R"({ "at": 5, "from": "guest", "type": "chat", "text": "hi" })");
  EXPECT_EQ(std::get<ChatText>(m), (ChatText{"hi", "guest", 5}));
}

TEST(ChatMessage, ControlCharactersAreRemoved) {
  // An escape sequence, a bell, a newline, a C1 CSI, a bidi override, DEL.
  auto m = parse_ok(
      R"({"type":"chat","text":"  \u001b[2Jclear\u0007 line\nnext \u009b\u202eevil\u007f  ","from":"\u001bx","at":1})");
  const auto& chat = std::get<ChatText>(m);
  EXPECT_EQ(chat.text, "[2Jclear linenext evil");
  EXPECT_EQ(chat.from, "x");
  EXPECT_EQ(sanitize_chat_text("\xc3\xbc\xff ok"), "\xc3\xbc ok");  // invalid byte dropped
}

TEST(ChatMessage, UnknownTypeIsNotAnError) {
  EXPECT_EQ(parse_chat_message(R"({"type":"reaction","emoji":"x"})").status,
            ChatParseStatus::kUnknownType);
  ChatDecoder decoder;
  EXPECT_FALSE(decoder.decode(R"({"type":"typing"})"));
  EXPECT_FALSE(decoder.decode(R"({"type":"typing"})"));
  EXPECT_FALSE(decoder.decode("not json"));
  EXPECT_TRUE(decoder.decode(R"({"type":"state","audio_muted":true,"video_off":true})"));
  EXPECT_EQ(decoder.unknown_ignored(), 2u);
  EXPECT_EQ(decoder.malformed_dropped(), 1u);
  EXPECT_EQ(decoder.last_error(), "chat: not JSON");
}

TEST(ChatMessage, StrictParsingRejects) {
  const char* bad[] = {
      "",
      "[]",
      "\"chat\"",
      R"({"text":"no type","from":"a","at":1})",
      R"({"type":5})",
      R"({"type":"chat","text":"x","from":"a"})",                     // missing at
      R"({"type":"chat","text":"x","from":"a","at":1,"extra":true})", // unknown member
      R"({"type":"chat","text":7,"from":"a","at":1})",
      R"({"type":"chat","text":"x","from":null,"at":1})",
      R"({"type":"chat","text":"x","from":"a","at":1.5})",
      R"({"type":"chat","text":"x","from":"a","at":"1"})",
      R"({"type":"chat","text":"x","from":"a","at":-1})",
      R"({"type":"chat","text":"x","from":"a","at":18446744073709551615})",
      R"({"type":"chat","text":"  \u0007 ","from":"a","at":1})",  // empty once cleaned
      R"({"type":"state","audio_muted":1,"video_off":false})",
      R"({"type":"state","audio_muted":true})",
      R"({"type":"chat","text":"x","from":"a","at":1} trailing)",
      "{\"type\":\"chat\",\"text\":\"\xff\",\"from\":\"a\",\"at\":1}",  // not UTF-8
      R"({"type":"chat","text":"\ud800","from":"a","at":1})",  // lone surrogate
  };
  for (const char* json : bad) {
    ChatParse p = parse_chat_message(json);
    EXPECT_EQ(p.status, ChatParseStatus::kMalformed) << json;
    EXPECT_FALSE(p.error.empty()) << json;
  }
}

TEST(ChatMessage, SizeLimits) {
  std::string max_text(kMaxChatTextBytes, 'a');
  auto ok = write_chat_message(ChatText{max_text, "n", 1});
  ASSERT_TRUE(ok.ok()) << ok.error();
  EXPECT_EQ(std::get<ChatText>(parse_ok(*ok)).text, max_text);

  auto too_long = write_chat_message(ChatText{max_text + "a", "n", 1});
  ASSERT_FALSE(too_long.ok());
  EXPECT_EQ(too_long.error(), "chat: text of 2001 bytes is over 2000");
  std::string json = R"({"type":"chat","text":")" + max_text + R"(a","from":"n","at":1})";
  EXPECT_EQ(parse_chat_message(json).status, ChatParseStatus::kMalformed);

  // 2000 bytes of text that needs escaping still fits 4096 when written as UTF-8...
  std::string euro;
  while (euro.size() + 3 <= kMaxChatTextBytes) euro += "\xe2\x82\xac";
  EXPECT_TRUE(write_chat_message(ChatText{euro, "n", 1}).ok());
  // ...but a whole message over 4096 bytes is refused before parsing.
  std::string padded = R"({"type":"state","audio_muted":true,"video_off":true})";
  padded += std::string(kMaxChatMessageBytes, ' ');
  ChatParse p = parse_chat_message(padded);
  EXPECT_EQ(p.status, ChatParseStatus::kMalformed);
  EXPECT_NE(p.error.find("over 4096"), std::string::npos) << p.error;
  EXPECT_FALSE(write_chat_message(ChatText{"x", std::string(65, 'n'), 1}).ok());
  EXPECT_FALSE(write_chat_message(ChatText{"   ", "n", 1}).ok());
}

TEST(ChatMessage, DeepNestingIsRefusedWithoutCrashing) {
  std::string deep(2000, '[');
  deep += std::string(2000, ']');
  EXPECT_EQ(parse_chat_message(deep).status, ChatParseStatus::kMalformed);
}

TEST(ChatLimiter, BurstThenRate) {
  ChatLimiter limiter;  // 5/s, burst 10
  for (int i = 0; i < 10; ++i) EXPECT_EQ(limiter.admit(10, kStart), ChatVerdict::kAllowed);
  EXPECT_EQ(limiter.admit(10, kStart), ChatVerdict::kFlood);
  // 200 ms buys one more message, not two.
  EXPECT_EQ(limiter.admit(10, kStart + milliseconds(200)), ChatVerdict::kAllowed);
  EXPECT_EQ(limiter.admit(10, kStart + milliseconds(200)), ChatVerdict::kFlood);
  // A long pause refills to the burst, no further.
  Instant later = kStart + seconds(60);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(limiter.admit(10, later), ChatVerdict::kAllowed);
  EXPECT_EQ(limiter.admit(10, later), ChatVerdict::kFlood);
  EXPECT_EQ(limiter.allowed(), 21u);
  EXPECT_EQ(limiter.flood_dropped(), 3u);
}

TEST(ChatLimiter, FloodingPeerIsCountedAndHeldToTheRate) {
  ChatLimiter limiter;
  // 100 messages a second for 10 seconds: about burst + 5/s get through.
  int passed = 0;
  for (int i = 0; i < 1000; ++i)
    if (limiter.admit(100, kStart + milliseconds(10 * i)) == ChatVerdict::kAllowed) ++passed;
  EXPECT_GE(passed, 58);
  EXPECT_LE(passed, 61);
  EXPECT_EQ(limiter.flood_dropped(), uint64_t(1000 - passed));
  EXPECT_EQ(limiter.summary(), "flood dropped " + std::to_string(1000 - passed) + ", oversized 0");
}

TEST(ChatLimiter, OversizedIsRefusedWithoutCostingATokenAndCounted) {
  ChatLimiter limiter({1, 1, 100});
  EXPECT_EQ(limiter.admit(101, kStart), ChatVerdict::kOversized);
  EXPECT_EQ(limiter.admit(100, kStart), ChatVerdict::kAllowed);
  EXPECT_EQ(limiter.admit(5000, kStart), ChatVerdict::kOversized);
  EXPECT_EQ(limiter.summary(), "flood dropped 0, oversized 2");
}

TEST(ChatLimiter, ClockGoingBackwardsRefillsNothing) {
  ChatLimiter limiter({1, 1, 100});
  EXPECT_EQ(limiter.admit(1, kStart + seconds(10)), ChatVerdict::kAllowed);
  EXPECT_EQ(limiter.admit(1, kStart), ChatVerdict::kFlood);
  EXPECT_EQ(limiter.admit(1, kStart + seconds(10)), ChatVerdict::kFlood);
  EXPECT_EQ(limiter.admit(1, kStart + seconds(11)), ChatVerdict::kAllowed);
}

}  // namespace
}  // namespace peercall
