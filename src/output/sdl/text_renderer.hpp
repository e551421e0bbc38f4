#pragma once
// Text for the call window: DejaVu through SDL2_ttf, each string rendered once
// to a texture and kept while it is drawn. Without SDL2_ttf or the font files
// it draws with the built-in 5x7 bitmap font instead (one warning): a call
// never fails for a font. Main thread only, like the renderer it draws with.
#include <SDL.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

typedef struct _TTF_Font TTF_Font;

namespace peercall {

inline constexpr const char* kDefaultSansFont = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
inline constexpr const char* kDefaultMonoFont = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf";

class TextRenderer {
 public:
  enum class Face { kSans, kMono };
  struct Style {
    Face face = Face::kSans;
    int pixels = 18;                      // the font's size in pixels (clamped to 6..120)
    SDL_Color color{240, 240, 240, 255};  // alpha fades the text
  };
  struct Size {
    int w = 0, h = 0;
  };

  // A missing mono font falls back to the sans one; a missing sans font (or
  // TTF_Init failing) to the bitmap font.
  TextRenderer(SDL_Renderer* renderer, std::string sans_path = kDefaultSansFont,
               std::string mono_path = kDefaultMonoFont);
  ~TextRenderer();
  TextRenderer(const TextRenderer&) = delete;
  TextRenderer& operator=(const TextRenderer&) = delete;

  bool uses_ttf() const { return ttf_ok_; }
  // The height of one line of text in this style (the box around it is the
  // caller's).
  int line_height(const Style& style);
  Size measure(std::string_view text, const Style& style);
  // Draws `text` with its top-left corner at (x, y).
  void draw(std::string_view text, int x, int y, const Style& style);
  // The longest prefix of `text` (whole UTF-8 code points) that is at most
  // max_w wide, with "..." appended when something was cut.
  std::string fit(std::string_view text, const Style& style, int max_w);
  // The longest tail of `text` that is at most max_w wide (a line being typed
  // shows its end).
  std::string fit_tail(std::string_view text, const Style& style, int max_w);
  // The width without rendering it.
  int width_of(std::string_view text, const Style& style);
  size_t cached_textures() const { return cache_.size(); }

 private:
  struct FontCloser { void operator()(TTF_Font* f) const; };
  struct TextureDestroyer { void operator()(SDL_Texture* t) const { SDL_DestroyTexture(t); } };
  struct Entry {
    std::unique_ptr<SDL_Texture, TextureDestroyer> texture;
    int w = 0, h = 0;
    uint64_t last_used = 0;
  };

  TTF_Font* font(Face face, int pixels);  // nullptr: use the bitmap font
  const Entry* rendered(std::string_view text, Face face, int pixels);
  void evict();
  static int bitmap_scale(int pixels);
  void draw_bitmap(std::string_view text, int x, int y, int scale, SDL_Color color);

  SDL_Renderer* renderer_;
  std::string sans_path_, mono_path_;
  bool ttf_ok_ = false;
  bool mono_missing_ = false;
  std::map<std::pair<Face, int>, std::unique_ptr<TTF_Font, FontCloser>> fonts_;
  std::unordered_map<std::string, Entry> cache_;  // key: face, size, text
  uint64_t uses_ = 0;
};

}  // namespace peercall
