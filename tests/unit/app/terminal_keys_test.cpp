// Escape sequences are not Esc: arrows and function keys must never hang up.
#include <gtest/gtest.h>

#include "app/terminal_keys.hpp"

using namespace peercall;

namespace {

std::vector<Key> all(KeyDecoder& d, std::string_view bytes) {
  std::vector<Key> keys = d.feed(bytes);
  for (const Key& k : d.idle()) keys.push_back(k);
  return keys;
}

bool any_hang_up(const std::vector<Key>& keys) {
  for (const Key& k : keys)
    if (is_hang_up_key(k)) return true;
  return false;
}

}  // namespace

TEST(KeyDecoder, ArrowsAndFunctionKeysAreNotEsc) {
  for (std::string_view seq : {"\x1b[A", "\x1b[B", "\x1b[C", "\x1b[D", "\x1bOA", "\x1bOP", "\x1b[15~", "\x1b[1;5C",
                               "\x1b[200~", "\x1bx"}) {
    KeyDecoder d;
    const auto keys = all(d, seq);
    ASSERT_EQ(keys.size(), 1u) << "one key for " << testing::PrintToString(std::string(seq));
    EXPECT_EQ(keys[0].kind, Key::kSpecial);
    EXPECT_FALSE(any_hang_up(keys));
  }
}

TEST(KeyDecoder, LoneEscIsEscOnlyWhenNothingFollows) {
  KeyDecoder d;
  EXPECT_TRUE(d.feed("\x1b").empty());
  EXPECT_TRUE(d.holding());
  const auto later = d.feed("[A");  // the rest of an arrow, in the next read
  ASSERT_EQ(later.size(), 1u);
  EXPECT_EQ(later[0].kind, Key::kSpecial);
  EXPECT_TRUE(d.feed("\x1b").empty());
  const auto idle = d.idle();
  ASSERT_EQ(idle.size(), 1u);
  EXPECT_EQ(idle[0].kind, Key::kEscape);
  EXPECT_TRUE(is_hang_up_key(idle[0]));
}

TEST(KeyDecoder, CharactersEnterAndDoubleEsc) {
  KeyDecoder d;
  const auto keys = all(d, "ad?\n\x1b\x1b");
  ASSERT_EQ(keys.size(), 6u);
  EXPECT_EQ(keys[0], (Key{Key::kChar, 'a'}));
  EXPECT_EQ(keys[1], (Key{Key::kChar, 'd'}));
  EXPECT_EQ(keys[2], (Key{Key::kChar, '?'}));
  EXPECT_EQ(keys[3].kind, Key::kEnter);
  EXPECT_EQ(keys[4].kind, Key::kEscape);
  EXPECT_EQ(keys[5].kind, Key::kEscape);
}

TEST(KeyDecoder, RunawaySequenceIsDroppedAndTextAfterItCounts) {
  KeyDecoder d;
  std::string junk = "\x1b[";
  junk += std::string(100, '1');
  const auto keys = all(d, junk + "q");
  ASSERT_FALSE(keys.empty());
  EXPECT_EQ(keys.back(), (Key{Key::kChar, 'q'}));
}

TEST(KeyHelp, ListsTheKeys) {
  const std::string help = key_help();
  for (const char* key : {"Enter", "Esc", "?", "a or y", "d or n"}) EXPECT_NE(help.find(key), std::string::npos) << key;
}

TEST(KeyDecoder, BackspaceIsAKeyAndNeverHangsUp) {
  KeyDecoder d;
  const auto keys = all(d, "a\x7f\x08");
  ASSERT_EQ(keys.size(), 3u);
  EXPECT_EQ(keys[1].kind, Key::kBackspace);
  EXPECT_EQ(keys[2].kind, Key::kBackspace);
  EXPECT_FALSE(any_hang_up(keys));
}

TEST(ChatLineEditing, BackspaceErasesAWholeCharacter) {
  std::string line = "h\xc3\xa9llo \xe2\x82\xac";  // "héllo €"
  EXPECT_TRUE(erase_last_character(line));
  EXPECT_EQ(line, "h\xc3\xa9llo ");
  for (int i = 0; i < 4; ++i) EXPECT_TRUE(erase_last_character(line));
  EXPECT_EQ(line, "h\xc3\xa9");
  EXPECT_TRUE(erase_last_character(line));
  EXPECT_EQ(line, "h");
  EXPECT_TRUE(erase_last_character(line));
  EXPECT_FALSE(erase_last_character(line));
  EXPECT_EQ(line, "");
}
