#pragma once
// A tiny built-in 5x7 pixel font, so that the test pattern and the stats
// overlay can draw text without a font library or font files.
#include <cstdint>
#include <string_view>

namespace peercall {

inline constexpr int kGlyphWidth = 5;
inline constexpr int kGlyphHeight = 7;
inline constexpr int kGlyphAdvance = 6;  // one blank column between glyphs

// The 7 rows of `c`'s glyph, top first; bit 4 is the leftmost pixel.
// Lower case maps to upper case; characters without a glyph draw as a box.
const uint8_t* glyph_rows(char c);

// Calls plot(x, y) for every lit pixel of `text` drawn with its top-left
// corner at (x, y), each font pixel scaled to scale x scale screen pixels.
// No clipping: plot() must ignore coordinates outside its surface.
template <class Plot>
void draw_text(std::string_view text, int x, int y, int scale, Plot&& plot) {
  if (scale < 1) return;
  for (char c : text) {
    const uint8_t* rows = glyph_rows(c);
    for (int row = 0; row < kGlyphHeight; ++row) {
      for (int col = 0; col < kGlyphWidth; ++col) {
        if (!(rows[row] & (0x10 >> col))) continue;
        for (int dy = 0; dy < scale; ++dy)
          for (int dx = 0; dx < scale; ++dx) plot(x + col * scale + dx, y + row * scale + dy);
      }
    }
    x += kGlyphAdvance * scale;
  }
}

// Width in pixels of the lit extent of `text` (no trailing blank column);
// 0 for empty text. The height is always kGlyphHeight * scale.
int text_width(std::string_view text, int scale);

}  // namespace peercall
