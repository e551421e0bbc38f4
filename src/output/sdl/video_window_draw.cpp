// VideoWindow's drawing: the pictures with their labels and badges, then the
// overlays on top (stats, chat, prompt, help). Main thread only.
#include <algorithm>
#include <string_view>

#include "output/sdl/video_window.hpp"

namespace peercall {
namespace {

constexpr SDL_Color kBackground{16, 18, 22, 255};
constexpr SDL_Color kCameraOff{30, 32, 38, 255};
constexpr SDL_Color kDimText{150, 150, 160, 255};
constexpr SDL_Color kSelfBorder{220, 220, 220, 255};
constexpr SDL_Color kBox{0, 0, 0, 170};  // half-transparent: the video shows through
constexpr SDL_Color kHelpBox{0, 0, 0, 215};
constexpr SDL_Color kMutedBox{190, 40, 40, 220};
constexpr SDL_Color kText{240, 240, 240, 255};
constexpr int kSelfBorderWidth = 2;
constexpr int kMargin = 12;
constexpr int kPlaceholderW = 640, kPlaceholderH = 360;  // a picture not (yet) known is 16:9

SDL_Rect to_sdl(LayoutRect r) { return {r.x, r.y, r.w, r.h}; }

int padding(int pixels) { return std::max(3, pixels / 3); }

TextRenderer::Style style(int pixels, TextRenderer::Face face = TextRenderer::Face::kSans,
                          SDL_Color color = kText) {
  return {face, pixels, color};
}

SDL_Color faded(SDL_Color c, int alpha) { return {c.r, c.g, c.b, Uint8(c.a * alpha / 255)}; }

}  // namespace

int VideoWindow::text_pixels(int output_h) const { return std::clamp(output_h / 40, 12, 36); }

void VideoWindow::fill(const SDL_Rect& rect, SDL_Color color) {
  SDL_Renderer* r = renderer_.get();
  SDL_SetRenderDrawBlendMode(r, color.a == 255 ? SDL_BLENDMODE_NONE : SDL_BLENDMODE_BLEND);
  SDL_SetRenderDrawColor(r, color.r, color.g, color.b, color.a);
  SDL_RenderFillRect(r, &rect);
  SDL_SetRenderDrawBlendMode(r, SDL_BLENDMODE_NONE);
}

SDL_Rect VideoWindow::box_size(const std::string& text, const TextRenderer::Style& s) {
  const TextRenderer::Size size = text_->measure(text, s);
  const int pad = padding(s.pixels);
  return {0, 0, size.w + 2 * pad, size.h + pad};
}

SDL_Rect VideoWindow::draw_boxed(const std::string& text, int x, int y, const TextRenderer::Style& s,
                                 SDL_Color box) {
  SDL_Rect rect = box_size(text, s);
  rect.x = x;
  rect.y = y;
  fill(rect, box);
  const int pad = padding(s.pixels);
  text_->draw(text, x + pad, y + pad / 2, s);
  return rect;
}

void VideoWindow::draw() {
  SDL_Renderer* r = renderer_.get();
  int w = 0, h = 0;
  SDL_GetRendererOutputSize(r, &w, &h);
  SDL_SetRenderDrawBlendMode(r, SDL_BLENDMODE_NONE);
  SDL_SetRenderDrawColor(r, kBackground.r, kBackground.g, kBackground.b, 255);
  SDL_RenderClear(r);

  // A self view "camera off" still shows, as a dark placeholder.
  const bool show_self = config_.show_self_view && (self_.shown() || local_state_.video_off);
  const CallLayout layout =
      call_layout(remote_.shown() ? remote_.width : kPlaceholderW, remote_.shown() ? remote_.height : kPlaceholderH,
                  self_.shown() ? self_.width : kPlaceholderW, self_.shown() ? self_.height : kPlaceholderH, w, h,
                  swapped_, show_self);
  SDL_Rect big_label;
  if (layout.self_is_big) {
    big_label = draw_picture(self_, layout.self, false, true, w, h);
    draw_picture(remote_, layout.remote, true, false, w, h);
  } else {
    // Before the first frame the whole window waits, whatever shape it will be.
    const LayoutRect area = remote_.shown() ? layout.remote : LayoutRect{0, 0, w, h};
    big_label = draw_picture(remote_, area, true, true, w, h);
    if (show_self) draw_picture(self_, layout.self, false, false, w, h);
  }

  if (overlay_visible_ && !overlay_.empty()) draw_overlay(w);
  const int input_top = draw_chat_input(w, h);
  draw_chat_lines(std::min(input_top, big_label.y) - kMargin / 2, w, Clock::now());
  if (!prompt_.empty()) draw_prompt(w, input_top);
  if (keys_.help_visible()) draw_help(w, h);
}

SDL_Rect VideoWindow::draw_picture(Picture& picture, LayoutRect area, bool is_remote, bool big, int output_w,
                                   int output_h) {
  const SDL_Rect dst = to_sdl(area);
  if (dst.w <= 0 || dst.h <= 0) return {dst.x, dst.y + dst.h, 0, 0};
  const PeerState& state = is_remote ? remote_state_ : local_state_;
  const int px = text_pixels(output_h);
  const int small_px = std::max(11, px * 3 / 4);
  if (!big) {
    fill({dst.x - kSelfBorderWidth, dst.y - kSelfBorderWidth, dst.w + 2 * kSelfBorderWidth,
          dst.h + 2 * kSelfBorderWidth},
         kSelfBorder);
  }
  const char* placeholder = nullptr;
  if (state.video_off) {
    fill(dst, kCameraOff);  // not the frozen last frame
    placeholder = "camera off";
  } else if (picture.shown()) {
    SDL_RenderCopy(renderer_.get(), picture.texture.get(), nullptr, &dst);
  } else {
    if (!big) fill(dst, kCameraOff);
    placeholder = "waiting for video...";
  }
  if (placeholder) {
    const auto s = style(big ? px * 4 / 3 : small_px, TextRenderer::Face::kSans, kDimText);
    const std::string text = text_->fit(placeholder, s, dst.w - 8);
    const TextRenderer::Size size = text_->measure(text, s);
    text_->draw(text, dst.x + (dst.w - size.w) / 2, dst.y + (dst.h - size.h) / 2, s);
  }

  std::string label = is_remote ? remote_label_ : std::string(local_state_.audio_muted ? "You (muted)" : "You");
  const int margin = big ? kMargin : kMargin / 2;
  const auto s = style(big ? px : small_px);
  // The label leaves room for the badge, and stays left of the self view.
  const int room = (big ? std::min(dst.w, output_w * 3 / 5) : dst.w) - 2 * margin;
  const bool badge = is_remote && remote_state_.audio_muted;
  const std::string kBadge = "muted";
  const int badge_w = badge ? box_size(kBadge, s).w + margin / 2 : 0;
  if (!label.empty()) label = text_->fit(label, s, room - badge_w - 2 * padding(s.pixels));
  const SDL_Rect size = box_size(label.empty() ? kBadge : label, s);
  const LayoutRect at = corner_label(area, size.w, size.h, margin);
  SDL_Rect label_box{at.x, at.y, 0, size.h};
  if (!label.empty()) label_box = draw_boxed(label, at.x, at.y, s, kBox);
  if (badge) {
    const int x = label.empty() ? at.x : label_box.x + label_box.w + margin / 2;
    const SDL_Rect b = draw_boxed(kBadge, x, at.y, s, kMutedBox);
    label_box.w = b.x + b.w - label_box.x;
  }
  if (label.empty() && !badge) return {dst.x, dst.y + dst.h, 0, 0};
  return label_box;
}

void VideoWindow::draw_overlay(int output_w) {
  int output_h = 0;
  SDL_GetRendererOutputSize(renderer_.get(), nullptr, &output_h);
  const auto s = style(std::max(11, text_pixels(output_h) * 5 / 6), TextRenderer::Face::kMono);
  const int pad = padding(s.pixels);
  const int line_h = text_->line_height(s);
  std::vector<std::string> lines;
  int text_w = 0;
  for (const auto& line : overlay_) {
    lines.push_back(text_->fit(line, s, output_w - 2 * kMargin - 2 * pad));
    text_w = std::max(text_w, text_->measure(lines.back(), s).w);
  }
  fill({kMargin, kMargin, text_w + 2 * pad, int(lines.size()) * line_h + 2 * pad}, kBox);
  int y = kMargin + pad;
  for (const auto& line : lines) {
    text_->draw(line, kMargin + pad, y, s);
    y += line_h;
  }
}

int VideoWindow::draw_chat_input(int output_w, int output_h) {
  if (!keys_.typing()) return output_h;
  const auto s = style(text_pixels(output_h));
  const int pad = padding(s.pixels);
  const std::string prefix = "chat> ";
  const int prefix_w = text_->width_of(prefix, s);
  const int caret_w = text_->width_of("_", s);
  const int room = output_w - 2 * kMargin - 2 * pad - prefix_w - caret_w;
  const std::string shown = prefix + text_->fit_tail(keys_.draft(), s, std::max(0, room)) + "_";
  const int box_h = text_->line_height(s) + pad;
  const SDL_Rect box{kMargin, output_h - kMargin - box_h, output_w - 2 * kMargin, box_h};
  fill(box, kHelpBox);
  text_->draw(shown, box.x + pad, box.y + pad / 2, s);
  return box.y;
}

void VideoWindow::draw_chat_lines(int bottom, int output_w, Instant now) {
  int output_h = 0;
  SDL_GetRendererOutputSize(renderer_.get(), nullptr, &output_h);
  const int px = text_pixels(output_h);
  const int room = output_w * 3 / 5;
  int y = bottom;
  // Newest at the bottom, older ones above it.
  for (auto it = chat_.rbegin(); it != chat_.rend(); ++it) {
    const Duration age = now - it->at;
    if (age >= kChatShown) continue;
    const Duration left = kChatShown - age;
    const int alpha = left >= kChatFade ? 255 : int(255 * to_seconds(left) / to_seconds(Duration(kChatFade)));
    const auto s = style(px, TextRenderer::Face::kSans, faded(kText, alpha));
    const std::string text = text_->fit(it->who.empty() ? it->text : it->who + ": " + it->text, s,
                                        room - 2 * padding(px));
    const SDL_Rect size = box_size(text, s);
    y -= size.h + 2;
    if (y < kMargin) break;
    draw_boxed(text, kMargin, y, s, faded(kBox, alpha));
  }
}

void VideoWindow::draw_prompt(int output_w, int bottom) {
  int output_h = 0;
  SDL_GetRendererOutputSize(renderer_.get(), nullptr, &output_h);
  const auto s = style(text_pixels(output_h) * 5 / 4);
  const std::string text = text_->fit(prompt_, s, output_w - 4 * kMargin);
  const SDL_Rect size = box_size(text, s);
  draw_boxed(text, std::max(0, (output_w - size.w) / 2), std::max(0, bottom - size.h - 3 * kMargin), s, kBox);
}

void VideoWindow::draw_help(int output_w, int output_h) {
  const auto s = style(text_pixels(output_h), TextRenderer::Face::kMono);
  const auto title = style(text_pixels(output_h) * 5 / 4);
  const int pad = padding(s.pixels) * 2;
  std::vector<std::string> lines;
  const std::string_view help = window_key_help();
  for (size_t start = 0; start <= help.size();) {
    const size_t end = std::min(help.find('\n', start), help.size());
    lines.push_back(text_->fit(help.substr(start, end - start), s, output_w - 2 * kMargin - 2 * pad));
    start = end + 1;
  }
  const int line_h = text_->line_height(s);
  const int title_h = text_->line_height(title) + pad / 2;
  int text_w = text_->measure("Keys", title).w;
  for (const auto& line : lines) text_w = std::max(text_w, text_->measure(line, s).w);
  const int box_w = text_w + 2 * pad, box_h = title_h + int(lines.size()) * line_h + 2 * pad;
  const SDL_Rect box{std::max(0, (output_w - box_w) / 2), std::max(0, (output_h - box_h) / 2), box_w, box_h};
  fill(box, kHelpBox);
  text_->draw("Keys", box.x + pad, box.y + pad, title);
  int y = box.y + pad + title_h;
  for (const auto& line : lines) {
    text_->draw(line, box.x + pad, y, s);
    y += line_h;
  }
}

}  // namespace peercall
