#include "media/synthetic/bitmap_font.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <set>
#include <string>
#include <vector>

namespace peercall {
namespace {

bool same_glyph(const uint8_t* a, const uint8_t* b) { return std::memcmp(a, b, kGlyphHeight) == 0; }

TEST(BitmapFont, EveryDigitAndLetterHasItsOwnGlyph) {
  const uint8_t* box = glyph_rows('\x01');
  std::set<std::vector<uint8_t>> seen;
  std::string chars = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  for (char c : chars) {
    const uint8_t* g = glyph_rows(c);
    EXPECT_FALSE(same_glyph(g, box)) << c;
    int lit = 0;
    for (int r = 0; r < kGlyphHeight; ++r) {
      EXPECT_EQ(g[r] & ~0x1F, 0) << c;
      lit += __builtin_popcount(g[r]);
    }
    EXPECT_GT(lit, 4) << c;
    seen.insert(std::vector<uint8_t>(g, g + kGlyphHeight));
  }
  EXPECT_EQ(seen.size(), chars.size()) << "two characters share a glyph";
}

TEST(BitmapFont, LowerCaseMapsToUpperAndPunctuationExists) {
  for (char c = 'a'; c <= 'z'; ++c) EXPECT_TRUE(same_glyph(glyph_rows(c), glyph_rows(char(c - 32))));
  const uint8_t* box = glyph_rows('\x7f');
  for (char c : std::string(":./%-_(),!?=+"))
    EXPECT_FALSE(same_glyph(glyph_rows(c), box)) << c;
  for (int r = 0; r < kGlyphHeight; ++r) EXPECT_EQ(glyph_rows(' ')[r], 0);
  EXPECT_TRUE(same_glyph(glyph_rows('\xe9'), box));  // non-ASCII byte
}

TEST(BitmapFont, DrawTextPlotsScaledPixelsWithinTheMeasuredWidth) {
  const int scale = 3;
  const std::string text = "1:";
  const int w = text_width(text, scale), h = kGlyphHeight * scale;
  EXPECT_EQ(w, (2 * kGlyphAdvance - 1) * scale);
  std::vector<int> canvas(size_t(w) * h, 0);
  int outside = 0;
  draw_text(text, 0, 0, scale, [&](int x, int y) {
    if (x < 0 || y < 0 || x >= w || y >= h) ++outside;
    else ++canvas[size_t(y) * w + x];
  });
  EXPECT_EQ(outside, 0);
  // '1' has 10 lit pixels and ':' has 8, each becoming scale*scale pixels once.
  int lit = 0;
  for (int v : canvas) {
    EXPECT_LE(v, 1);
    lit += v;
  }
  EXPECT_EQ(lit, (10 + 8) * scale * scale);
  // Top-left of '1' (row 0 = 00100) is dark; the pixel at column 2 is lit.
  EXPECT_EQ(canvas[0], 0);
  EXPECT_EQ(canvas[2 * scale], 1);
  EXPECT_EQ(text_width("", 2), 0);
}

}  // namespace
}  // namespace peercall
