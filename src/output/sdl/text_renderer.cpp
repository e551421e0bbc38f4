#include "output/sdl/text_renderer.hpp"

#include <SDL_ttf.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <vector>

#include "media/synthetic/bitmap_font.hpp"

namespace peercall {
namespace {

constexpr size_t kMaxCached = 192;  // a stats overlay changes every second: keep what is drawn now
constexpr size_t kMaxFonts = 8;     // sizes follow the window's size while it is resized

std::atomic<bool> warned{false};

void warn_once(const std::string& why) {
  if (!warned.exchange(true)) spdlog::warn("window: {}; using the built-in bitmap font", why);
}

int clamp_pixels(int pixels) { return std::clamp(pixels, 6, 120); }

}  // namespace

void TextRenderer::FontCloser::operator()(TTF_Font* f) const { TTF_CloseFont(f); }

TextRenderer::TextRenderer(SDL_Renderer* renderer, std::string sans_path, std::string mono_path)
    : renderer_(renderer), sans_path_(std::move(sans_path)), mono_path_(std::move(mono_path)) {
  if (TTF_Init() != 0) {
    warn_once(std::string("SDL2_ttf: ") + TTF_GetError());
    return;
  }
  ttf_ok_ = true;
  // Open once now so that a missing file is known (and warned about) at once.
  if (!font(Face::kSans, 18)) {
    fonts_.clear();
    TTF_Quit();
    ttf_ok_ = false;
  }
}

TextRenderer::~TextRenderer() {
  cache_.clear();
  fonts_.clear();
  if (ttf_ok_) TTF_Quit();
}

TTF_Font* TextRenderer::font(Face face, int pixels) {
  if (!ttf_ok_) return nullptr;
  if (face == Face::kMono && mono_missing_) face = Face::kSans;
  const auto key = std::make_pair(face, pixels);
  if (auto it = fonts_.find(key); it != fonts_.end()) return it->second.get();
  if (fonts_.size() >= kMaxFonts) {
    cache_.clear();  // textures made with the fonts being closed stay valid, but sizes moved on
    fonts_.clear();
  }
  const std::string& path = face == Face::kMono ? mono_path_ : sans_path_;
  // SDL2_ttf's point size at its 72 dpi default is the pixel size.
  TTF_Font* opened = TTF_OpenFont(path.c_str(), pixels);
  if (!opened) {
    if (face == Face::kMono) {
      spdlog::debug("window: no mono font {} ({}), using the sans one", path, TTF_GetError());
      mono_missing_ = true;
      return font(Face::kSans, pixels);
    }
    warn_once("cannot open the font " + path + ": " + TTF_GetError());
    return nullptr;
  }
  TTF_SetFontHinting(opened, TTF_HINTING_LIGHT);
  fonts_[key].reset(opened);
  return opened;
}

int TextRenderer::bitmap_scale(int pixels) { return std::max(1, (pixels + 4) / 9); }

int TextRenderer::line_height(const Style& style) {
  const int pixels = clamp_pixels(style.pixels);
  if (TTF_Font* f = font(style.face, pixels)) return TTF_FontHeight(f);
  return kGlyphHeight * bitmap_scale(pixels);
}

TextRenderer::Size TextRenderer::measure(std::string_view text, const Style& style) {
  const int pixels = clamp_pixels(style.pixels);
  if (text.empty()) return {0, line_height(style)};
  if (font(style.face, pixels)) {
    if (const Entry* e = rendered(text, style.face, pixels)) return {e->w, e->h};
    return {0, line_height(style)};
  }
  const int scale = bitmap_scale(pixels);
  return {peercall::text_width(text, scale), kGlyphHeight * scale};
}

const TextRenderer::Entry* TextRenderer::rendered(std::string_view text, Face face, int pixels) {
  std::string key;
  key.reserve(text.size() + 8);
  key.push_back(face == Face::kMono ? 'm' : 's');
  key += std::to_string(pixels);
  key.push_back('\0');
  key += text;
  if (auto it = cache_.find(key); it != cache_.end()) {
    it->second.last_used = ++uses_;
    return &it->second;
  }
  TTF_Font* f = font(face, pixels);
  if (!f) return nullptr;
  const std::string owned(text);  // TTF wants a terminated string
  SDL_Surface* surface = TTF_RenderUTF8_Blended(f, owned.c_str(), SDL_Color{255, 255, 255, 255});
  if (!surface) return nullptr;
  Entry entry;
  entry.texture.reset(SDL_CreateTextureFromSurface(renderer_, surface));
  entry.w = surface->w;
  entry.h = surface->h;
  SDL_FreeSurface(surface);
  if (!entry.texture) return nullptr;
  SDL_SetTextureBlendMode(entry.texture.get(), SDL_BLENDMODE_BLEND);
  entry.last_used = ++uses_;
  if (cache_.size() >= kMaxCached) evict();
  return &(cache_[std::move(key)] = std::move(entry));
}

void TextRenderer::evict() {
  // Drop the least recently drawn half: what is on screen now was drawn last.
  std::vector<uint64_t> uses;
  uses.reserve(cache_.size());
  for (const auto& [key, entry] : cache_) uses.push_back(entry.last_used);
  std::nth_element(uses.begin(), uses.begin() + uses.size() / 2, uses.end());
  const uint64_t median = uses[uses.size() / 2];
  for (auto it = cache_.begin(); it != cache_.end();) {
    it = it->second.last_used < median ? cache_.erase(it) : std::next(it);
  }
}

void TextRenderer::draw(std::string_view text, int x, int y, const Style& style) {
  if (text.empty() || style.color.a == 0) return;
  const int pixels = clamp_pixels(style.pixels);
  if (font(style.face, pixels)) {
    const Entry* e = rendered(text, style.face, pixels);
    if (!e) return;
    SDL_SetTextureColorMod(e->texture.get(), style.color.r, style.color.g, style.color.b);
    SDL_SetTextureAlphaMod(e->texture.get(), style.color.a);
    const SDL_Rect dst{x, y, e->w, e->h};
    SDL_RenderCopy(renderer_, e->texture.get(), nullptr, &dst);
    return;
  }
  draw_bitmap(text, x, y, bitmap_scale(pixels), style.color);
}

void TextRenderer::draw_bitmap(std::string_view text, int x, int y, int scale, SDL_Color color) {
  // Each font pixel as a scale x scale rectangle: one batched call.
  std::vector<SDL_Rect> rects;
  peercall::draw_text(text, 0, 0, 1, [&](int px, int py) {
    rects.push_back({x + px * scale, y + py * scale, scale, scale});
  });
  SDL_BlendMode saved;
  SDL_GetRenderDrawBlendMode(renderer_, &saved);
  SDL_SetRenderDrawBlendMode(renderer_, color.a == 255 ? SDL_BLENDMODE_NONE : SDL_BLENDMODE_BLEND);
  SDL_SetRenderDrawColor(renderer_, color.r, color.g, color.b, color.a);
  SDL_RenderFillRects(renderer_, rects.data(), int(rects.size()));
  SDL_SetRenderDrawBlendMode(renderer_, saved);
}

int TextRenderer::width_of(std::string_view text, const Style& style) {
  const int pixels = clamp_pixels(style.pixels);
  if (text.empty()) return 0;
  if (TTF_Font* f = font(style.face, pixels)) {
    const std::string owned(text);
    int w = 0;
    return TTF_SizeUTF8(f, owned.c_str(), &w, nullptr) == 0 ? w : 0;
  }
  return peercall::text_width(text, bitmap_scale(pixels));
}

std::string TextRenderer::fit_tail(std::string_view text, const Style& style, int max_w) {
  if (width_of(text, style) <= max_w) return std::string(text);
  // Binary search over the code point boundaries for the longest tail that fits.
  std::vector<size_t> starts;
  for (size_t i = 1; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) starts.push_back(i);
  }
  size_t lo = 0, hi = starts.size();  // the first start tried is starts[lo]; hi: none fits
  while (lo < hi) {
    const size_t mid = (lo + hi) / 2;
    if (width_of(text.substr(starts[mid]), style) <= max_w) hi = mid;
    else lo = mid + 1;
  }
  return lo < starts.size() ? std::string(text.substr(starts[lo])) : std::string();
}

std::string TextRenderer::fit(std::string_view text, const Style& style, int max_w) {
  if (width_of(text, style) <= max_w) return std::string(text);
  constexpr std::string_view kEllipsis = "...";
  const int pixels = clamp_pixels(style.pixels);
  size_t keep = 0;  // bytes of `text` kept
  if (TTF_Font* f = font(style.face, pixels)) {
    int ellipsis_w = 0;
    TTF_SizeUTF8(f, kEllipsis.data(), &ellipsis_w, nullptr);
    const std::string owned(text);
    int extent = 0, code_points = 0;
    if (TTF_MeasureUTF8(f, owned.c_str(), std::max(0, max_w - ellipsis_w), &extent, &code_points) != 0)
      code_points = 0;
    // Code points to bytes: each lead byte starts one.
    for (size_t i = 0; i < text.size(); ++i) {
      if ((static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) continue;
      if (code_points-- == 0) break;
      keep = i + 1;
      while (keep < text.size() && (static_cast<unsigned char>(text[keep]) & 0xC0) == 0x80) ++keep;
    }
  } else {
    const int advance = kGlyphAdvance * bitmap_scale(pixels);  // one glyph per byte
    const int room = max_w - int(kEllipsis.size()) * advance;
    keep = room > 0 ? std::min(text.size(), size_t(room / advance)) : 0;
  }
  return std::string(text.substr(0, keep)) + std::string(kEllipsis);
}

}  // namespace peercall
