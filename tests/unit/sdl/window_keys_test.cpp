// The window's keys without a window: SDL key codes in, actions out.
#include "output/sdl/window_keys.hpp"

#include <gtest/gtest.h>

namespace peercall {
namespace {

using A = WindowAction;

A press(WindowKeys& keys, SDL_Keycode sym, Uint16 mod = KMOD_NONE) { return keys.on_key_down(sym, mod, false).action; }

TEST(WindowKeys, CommandKeysAreTheTerminalsAndTheWindowsOwn) {
  WindowKeys keys;
  EXPECT_EQ(press(keys, SDLK_ESCAPE), A::kHangUp);
  EXPECT_EQ(press(keys, SDLK_q), A::kHangUp);
  EXPECT_EQ(press(keys, SDLK_RETURN), A::kHangUp);
  EXPECT_EQ(press(keys, SDLK_KP_ENTER), A::kHangUp);
  EXPECT_EQ(press(keys, SDLK_s), A::kToggleStats);
  EXPECT_EQ(press(keys, SDLK_m), A::kToggleMute);
  EXPECT_EQ(press(keys, SDLK_v), A::kToggleCamera);
  EXPECT_EQ(press(keys, SDLK_f), A::kToggleFullscreen);
  EXPECT_EQ(press(keys, SDLK_w), A::kSwapPictures);
  EXPECT_FALSE(keys.typing());
}

TEST(WindowKeys, OtherLettersGoToTheAppAndOtherKeysNowhere) {
  WindowKeys keys;
  auto a = keys.on_key_down(SDLK_a, KMOD_NONE, false);
  EXPECT_EQ(a.action, A::kNone);
  EXPECT_EQ(a.key, 'a');
  EXPECT_EQ(keys.on_key_down(SDLK_d, KMOD_NONE, false).key, 'd');
  EXPECT_EQ(keys.on_key_down(SDLK_UP, KMOD_NONE, false).key, 0);
  EXPECT_EQ(keys.on_key_down(SDLK_UP, KMOD_NONE, false).action, A::kNone);
  // Held keys repeat: one command only. Ctrl+q is the desktop's, not a hang-up.
  EXPECT_EQ(keys.on_key_down(SDLK_m, KMOD_NONE, true).action, A::kNone);
  EXPECT_EQ(keys.on_key_down(SDLK_q, KMOD_LCTRL, false).action, A::kNone);
}

TEST(WindowKeys, QuestionMarkTogglesHelpAndEscapeClosesItFirst) {
  WindowKeys keys;
  EXPECT_EQ(press(keys, SDLK_SLASH, KMOD_LSHIFT), A::kToggleHelp);
  EXPECT_TRUE(keys.help_visible());
  EXPECT_EQ(press(keys, SDLK_ESCAPE), A::kToggleHelp) << "Esc closes the help box, does not hang up";
  EXPECT_FALSE(keys.help_visible());
  EXPECT_EQ(press(keys, SDLK_ESCAPE), A::kHangUp);
  EXPECT_EQ(press(keys, SDLK_QUESTION), A::kToggleHelp);
  EXPECT_EQ(press(keys, SDLK_QUESTION), A::kToggleHelp);
  EXPECT_FALSE(keys.help_visible());
  EXPECT_NE(window_key_help().find("mute"), std::string_view::npos);
}

TEST(WindowKeys, TabOpensAChatLineWhereLettersAreText) {
  WindowKeys keys;
  EXPECT_TRUE(keys.on_key_down(SDLK_TAB, KMOD_NONE, false).changed);
  EXPECT_TRUE(keys.typing());
  EXPECT_TRUE(keys.take_typing_changed());
  EXPECT_FALSE(keys.take_typing_changed());
  // While typing, q and m are letters: the key-downs do nothing, text events type.
  EXPECT_EQ(press(keys, SDLK_q), A::kNone);
  EXPECT_EQ(press(keys, SDLK_m), A::kNone);
  EXPECT_EQ(keys.on_key_down(SDLK_a, KMOD_NONE, false).key, 0) << "not for take_keys()";
  keys.on_text("hi q");
  keys.on_text("\xc3\xa9");  // é
  EXPECT_EQ(keys.draft(), "hi q\xc3\xa9");
  press(keys, SDLK_BACKSPACE);  // the whole é
  EXPECT_EQ(keys.draft(), "hi q");
  EXPECT_EQ(press(keys, SDLK_RETURN), A::kChatLine);
  EXPECT_FALSE(keys.typing());
  EXPECT_TRUE(keys.take_typing_changed());
  EXPECT_EQ(keys.take_line(), std::optional<std::string>("hi q"));
  EXPECT_EQ(keys.take_line(), std::nullopt);
  EXPECT_EQ(press(keys, SDLK_q), A::kHangUp) << "commands again";
}

TEST(WindowKeys, EscapeCancelsTheLineAndBlankLinesAreNotSent) {
  WindowKeys keys;
  press(keys, SDLK_TAB);
  keys.on_text("never sent");
  EXPECT_EQ(press(keys, SDLK_ESCAPE), A::kNone) << "Esc while typing cancels, no hang-up";
  EXPECT_FALSE(keys.typing());
  EXPECT_EQ(keys.take_line(), std::nullopt);
  press(keys, SDLK_TAB);
  EXPECT_EQ(keys.draft(), "") << "a new line starts empty";
  keys.on_text("   ");
  EXPECT_EQ(press(keys, SDLK_RETURN), A::kNone);
  EXPECT_EQ(keys.take_line(), std::nullopt);
}

TEST(WindowKeys, TheOpeningLetterIsNotTypedButLaterOnesAre) {
  WindowKeys keys;
  press(keys, SDLK_c);
  EXPECT_TRUE(keys.typing());
  keys.on_text("c");  // the same key press as text (when SDL had text input on)
  keys.on_text("c");
  keys.on_text("at");
  EXPECT_EQ(keys.draft(), "cat");
  keys.on_key_down(SDLK_ESCAPE, KMOD_NONE, false);
  press(keys, SDLK_SLASH);
  EXPECT_TRUE(keys.typing());
  keys.on_text("/");
  EXPECT_EQ(keys.draft(), "");
}

TEST(WindowKeys, TextOutsideTheChatLineAndControlCharactersAreIgnored) {
  WindowKeys keys;
  EXPECT_FALSE(keys.on_text("x").changed);
  press(keys, SDLK_TAB);
  keys.on_text("a\x01\x1b" "b");
  EXPECT_EQ(keys.draft(), "ab");
}

TEST(WindowKeys, TheLineIsBounded) {
  WindowKeys keys;
  press(keys, SDLK_TAB);
  const std::string chunk(20, 'x');
  for (int i = 0; i < 100; ++i) keys.on_text(chunk);
  EXPECT_LE(keys.draft().size(), WindowKeys::kMaxChatBytes);
  EXPECT_GE(keys.draft().size(), WindowKeys::kMaxChatBytes - chunk.size());
  // Backspace on an empty line is harmless.
  for (int i = 0; i < 600; ++i) keys.on_key_down(SDLK_BACKSPACE, KMOD_NONE, false);
  EXPECT_EQ(keys.draft(), "");
}

}  // namespace
}  // namespace peercall
