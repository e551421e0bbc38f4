// The text renderer on SDL's software renderer into a plain surface: no
// display needed.
#include "output/sdl/text_renderer.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "media/synthetic/bitmap_font.hpp"

namespace peercall {
namespace {

class TextRendererTest : public ::testing::Test {
 protected:
  void SetUp() override {
    surface.reset(SDL_CreateRGBSurfaceWithFormat(0, 320, 120, 32, SDL_PIXELFORMAT_ARGB8888));
    ASSERT_TRUE(surface) << SDL_GetError();
    renderer.reset(SDL_CreateSoftwareRenderer(surface.get()));
    ASSERT_TRUE(renderer) << SDL_GetError();
    clear();
  }
  void clear() {
    SDL_SetRenderDrawColor(renderer.get(), 0, 0, 0, 255);
    SDL_RenderClear(renderer.get());
  }
  // Pixels brighter than mid-grey in [x0, x1) x [y0, y1).
  int bright(int x0, int y0, int x1, int y1) {
    int n = 0;
    for (int y = y0; y < y1; ++y) {
      const auto* row = static_cast<const uint32_t*>(surface->pixels) + y * (surface->pitch / 4);
      for (int x = x0; x < x1; ++x) n += ((row[x] >> 8) & 0xff) > 128;  // green channel
    }
    return n;
  }
  static bool valid_utf8(const std::string& s) {
    for (size_t i = 0; i < s.size();) {
      const auto c = static_cast<unsigned char>(s[i]);
      const size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
      if (n == 0 || i + n > s.size()) return false;
      for (size_t k = 1; k < n; ++k)
        if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
      i += n;
    }
    return true;
  }

  struct SurfaceFree { void operator()(SDL_Surface* s) const { SDL_FreeSurface(s); } };
  struct RendererFree { void operator()(SDL_Renderer* r) const { SDL_DestroyRenderer(r); } };
  std::unique_ptr<SDL_Surface, SurfaceFree> surface;
  std::unique_ptr<SDL_Renderer, RendererFree> renderer;
};

TEST_F(TextRendererTest, DrawsWithDejaVuWhereAsked) {
  TextRenderer text(renderer.get());
  ASSERT_TRUE(text.uses_ttf());
  const TextRenderer::Style style{TextRenderer::Face::kSans, 18};
  const auto size = text.measure("Alice", style);
  EXPECT_GT(size.w, 30);
  EXPECT_LT(size.w, 80);
  EXPECT_GE(size.h, 18);
  EXPECT_LE(size.h, 26);
  text.draw("Alice", 100, 50, style);
  EXPECT_GT(bright(100, 50, 100 + size.w, 50 + size.h), 40);
  EXPECT_EQ(bright(0, 0, 320, 50), 0) << "nothing above it";
  EXPECT_EQ(bright(0, 0, 100, 120), 0) << "nothing left of it";
}

TEST_F(TextRendererTest, EachStringIsRenderedOnceAndTheCacheIsBounded) {
  TextRenderer text(renderer.get());
  ASSERT_TRUE(text.uses_ttf());
  const TextRenderer::Style style{};
  text.draw("RTT 12 ms", 0, 0, style);
  text.draw("RTT 12 ms", 0, 20, style);
  text.measure("RTT 12 ms", style);
  EXPECT_EQ(text.cached_textures(), 1u);
  text.draw("RTT 13 ms", 0, 40, style);
  EXPECT_EQ(text.cached_textures(), 2u);
  for (int i = 0; i < 1000; ++i) text.draw("line " + std::to_string(i), 0, 0, style);
  EXPECT_LE(text.cached_textures(), 192u);
  EXPECT_GT(text.cached_textures(), 50u);
}

TEST_F(TextRendererTest, FitCutsWholeCodePointsAndMarksTheCut) {
  TextRenderer text(renderer.get());
  const TextRenderer::Style style{};
  EXPECT_EQ(text.fit("short", style, 300), "short");
  std::string long_text;
  for (int i = 0; i < 60; ++i) long_text += "\xc3\xa9t\xc3\xa9 ";  // "été "
  const std::string head = text.fit(long_text, style, 120);
  EXPECT_LE(text.width_of(head, style), 120);
  EXPECT_GT(text.width_of(head, style), 60);
  EXPECT_EQ(head.substr(head.size() - 3), "...");
  EXPECT_TRUE(valid_utf8(head));
  const std::string tail = text.fit_tail(long_text, style, 120);
  EXPECT_LE(text.width_of(tail, style), 120);
  EXPECT_GT(text.width_of(tail, style), 60);
  EXPECT_EQ(long_text.substr(long_text.size() - tail.size()), tail);
  EXPECT_TRUE(valid_utf8(tail));
}

TEST_F(TextRendererTest, WithoutTheFontTheBitmapFontDraws) {
  TextRenderer text(renderer.get(), "/nonexistent/font.ttf", "/nonexistent/mono.ttf");
  EXPECT_FALSE(text.uses_ttf());
  const TextRenderer::Style style{TextRenderer::Face::kMono, 18};
  const auto size = text.measure("ALICE", style);
  EXPECT_EQ(size.w, text_width("ALICE", 2));
  EXPECT_EQ(size.h, kGlyphHeight * 2);
  text.draw("ALICE", 10, 10, style);
  EXPECT_GT(bright(10, 10, 10 + size.w, 10 + size.h), 40);
  EXPECT_EQ(bright(10 + size.w + 1, 0, 320, 120), 0);
  const std::string cut = text.fit("ABCDEFGHIJKLMNOP", style, 100);
  EXPECT_LE(text.width_of(cut, style), 100);
  EXPECT_EQ(cut.substr(cut.size() - 3), "...");
}

TEST_F(TextRendererTest, AMissingMonoFontFallsBackToTheSansOne) {
  TextRenderer text(renderer.get(), kDefaultSansFont, "/nonexistent/mono.ttf");
  ASSERT_TRUE(text.uses_ttf());
  const TextRenderer::Style mono{TextRenderer::Face::kMono, 18};
  const TextRenderer::Style sans{TextRenderer::Face::kSans, 18};
  EXPECT_EQ(text.measure("iiii", mono).w, text.measure("iiii", sans).w);
  // With the real mono font, narrow letters are as wide as wide ones.
  TextRenderer real(renderer.get());
  EXPECT_EQ(real.measure("iiii", mono).w, real.measure("MMMM", mono).w);
  EXPECT_LT(real.measure("iiii", sans).w, real.measure("MMMM", sans).w);
}

TEST_F(TextRendererTest, FadedTextIsDimmer) {
  TextRenderer text(renderer.get());
  TextRenderer::Style style{};
  text.draw("Alice", 10, 10, style);
  const int full = bright(0, 0, 320, 120);
  clear();
  style.color.a = 60;
  text.draw("Alice", 10, 10, style);
  EXPECT_GT(full, 40);
  EXPECT_EQ(bright(0, 0, 320, 120), 0);
  clear();
  style.color.a = 0;
  text.draw("Alice", 10, 10, style);
  EXPECT_EQ(bright(0, 0, 320, 120), 0);
}

}  // namespace
}  // namespace peercall
