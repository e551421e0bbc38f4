#include "output/sdl/video_window.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdlib>
#include <utility>

#include "media/synthetic/bitmap_font.hpp"
#include "output/sdl/window_layout.hpp"

namespace peercall {

namespace {

constexpr SDL_Color kBackground{16, 18, 22, 255};
constexpr SDL_Color kWaitingText{150, 150, 160, 255};
constexpr SDL_Color kSelfBorder{220, 220, 220, 255};
constexpr SDL_Color kOverlayBox{0, 0, 0, 170};
constexpr SDL_Color kOverlayText{240, 240, 240, 255};
constexpr int kSelfBorderWidth = 2;
constexpr int kOverlayPadding = 8;
constexpr int kMaxSide = 8192;

bool valid(const VideoFrame& f) {
  return !f.empty() && f.width % 2 == 0 && f.height % 2 == 0 && f.width <= kMaxSide &&
         f.height <= kMaxSide && f.i420->size() >= VideoFrame::buffer_size(f.width, f.height);
}

void set_color(SDL_Renderer* renderer, SDL_Color c) {
  SDL_SetRenderDrawColor(renderer, c.r, c.g, c.b, c.a);
}

SDL_Rect to_sdl(LayoutRect r) { return {r.x, r.y, r.w, r.h}; }

}  // namespace

bool VideoWindow::Picture::upload(SDL_Renderer* renderer, const VideoFrame& frame) {
  if (!texture || width != frame.width || height != frame.height) {
    texture.reset(SDL_CreateTexture(renderer, SDL_PIXELFORMAT_IYUV, SDL_TEXTUREACCESS_STREAMING,
                                    frame.width, frame.height));
    if (!texture) {
      spdlog::warn("window: cannot create a {}x{} texture: {}", frame.width, frame.height,
                   SDL_GetError());
      return false;
    }
    width = frame.width;
    height = frame.height;
  }
  return SDL_UpdateYUVTexture(texture.get(), nullptr, frame.y(), frame.width, frame.u(),
                              frame.width / 2, frame.v(), frame.width / 2) == 0;
}

VideoWindow::VideoWindow(const WindowConfig& config) : config_(config), video_(SDL_INIT_VIDEO) {}

VideoWindow::~VideoWindow() {
  // Textures belong to the renderer, the renderer to the window.
  remote_.texture.reset();
  self_.texture.reset();
  renderer_.reset();
  window_.reset();
}

Result<std::unique_ptr<VideoWindow>> VideoWindow::open(const WindowConfig& config) {
  constexpr const char* kNoDisplay = "window: no display (set DISPLAY or use --view none)";
  // Without a display server SDL may fall back to KMS/DRM and take over the
  // console; refuse instead unless a driver was asked for explicitly.
  if (!std::getenv("DISPLAY") && !std::getenv("WAYLAND_DISPLAY") &&
      !std::getenv("SDL_VIDEODRIVER")) {
    return Error{kNoDisplay};
  }
  std::unique_ptr<VideoWindow> window(new VideoWindow(config));
  if (!window->video_.ok()) {
    spdlog::debug("window: SDL video init failed: {}", SDL_GetError());
    return Error{kNoDisplay};
  }
  if (auto created = window->create(); !created) return Error{created.error()};
  return window;
}

Result<bool> VideoWindow::create() {
  // Our pipeline's I420 is BT.601 (swscale's and x264's default).
  SDL_SetYUVConversionMode(SDL_YUV_CONVERSION_BT601);
  SDL_SetHint(SDL_HINT_RENDER_SCALE_QUALITY, "linear");
  const int w = std::clamp(config_.width, 64, kMaxSide);
  const int h = std::clamp(config_.height, 64, kMaxSide);
  window_.reset(SDL_CreateWindow(config_.title.c_str(), SDL_WINDOWPOS_CENTERED,
                                 SDL_WINDOWPOS_CENTERED, w, h, SDL_WINDOW_RESIZABLE));
  if (!window_) return Error{std::string("window: ") + SDL_GetError()};
  // No vsync: pump() must return within its max_wait.
  renderer_.reset(SDL_CreateRenderer(window_.get(), -1, SDL_RENDERER_ACCELERATED));
  if (!renderer_) {
    spdlog::info("window: no accelerated renderer ({}), using software", SDL_GetError());
    SDL_SetHint(SDL_HINT_RENDER_DRIVER, "software");
    renderer_.reset(SDL_CreateRenderer(window_.get(), -1, SDL_RENDERER_SOFTWARE));
  }
  if (!renderer_) return Error{std::string("window: no renderer: ") + SDL_GetError()};
  wake_event_ = SDL_RegisterEvents(1);
  draw();
  SDL_RenderPresent(renderer_.get());
  return true;
}

void VideoWindow::set_remote_frame(VideoFrame frame) {
  store(pending_remote_, std::move(frame), stats_.remote_frames_dropped);
}

void VideoWindow::set_self_frame(VideoFrame frame) {
  store(pending_self_, std::move(frame), stats_.self_frames_dropped);
}

void VideoWindow::store(std::optional<VideoFrame>& slot, VideoFrame frame, uint64_t& dropped) {
  if (!valid(frame)) return;
  std::lock_guard lock(mu_);
  if (slot) ++dropped;
  slot = std::move(frame);
  wake_locked();
}

void VideoWindow::set_overlay_text(std::vector<std::string> lines) {
  std::lock_guard lock(mu_);
  pending_overlay_ = std::move(lines);
  wake_locked();
}

void VideoWindow::set_prompt_text(std::string text) {
  std::lock_guard lock(mu_);
  pending_prompt_ = std::move(text);
  wake_locked();
}

std::string VideoWindow::take_keys() { return std::exchange(typed_, std::string()); }

void VideoWindow::wake_locked() {
  // One wake-up event in flight is enough: pump() takes everything pending.
  if (wake_posted_ || wake_event_ == static_cast<Uint32>(-1)) return;
  SDL_Event event{};
  event.type = wake_event_;
  wake_posted_ = SDL_PushEvent(&event) == 1;
}

bool VideoWindow::has_pending() const {
  std::lock_guard lock(mu_);
  return pending_remote_ || pending_self_ || pending_overlay_ || pending_prompt_;
}

VideoWindow::Action VideoWindow::pump(std::chrono::milliseconds max_wait) {
  Action action = Action::kNone;
  bool redraw = false;
  auto merge = [&](Action a) {
    if (a == Action::kHangUp || action == Action::kNone) action = a;
  };
  SDL_Event event;
  const int wait_ms = has_pending() ? 0 : int(std::clamp<int64_t>(max_wait.count(), 0, 60'000));
  if (wait_ms > 0 ? SDL_WaitEventTimeout(&event, wait_ms) : SDL_PollEvent(&event)) {
    merge(handle(event, redraw));
    while (SDL_PollEvent(&event)) merge(handle(event, redraw));
  }
  if (take_pending()) redraw = true;
  if (redraw) {
    draw();
    SDL_RenderPresent(renderer_.get());
  }
  return action;
}

VideoWindow::Action VideoWindow::handle(const SDL_Event& event, bool& redraw) {
  switch (event.type) {
    case SDL_QUIT:
      return Action::kHangUp;
    case SDL_WINDOWEVENT:
      if (event.window.event == SDL_WINDOWEVENT_CLOSE) return Action::kHangUp;
      redraw = true;  // exposed, resized, restored...
      return Action::kNone;
    case SDL_KEYDOWN:
      switch (event.key.keysym.sym) {
        case SDLK_ESCAPE:
        case SDLK_q:
        case SDLK_RETURN:
        case SDLK_KP_ENTER:
          return Action::kHangUp;
        case SDLK_s:
          if (event.key.repeat) return Action::kNone;
          set_overlay_visible(!overlay_visible_);
          redraw = true;
          return Action::kToggleStats;
        default: {
          const SDL_Keycode sym = event.key.keysym.sym;
          if (event.key.repeat || typed_.size() >= 64) return Action::kNone;
          if (sym >= SDLK_a && sym <= SDLK_z)
            typed_.push_back(char(sym));
          else if (sym == SDLK_SLASH && (event.key.keysym.mod & KMOD_SHIFT))
            typed_.push_back('?');
          return Action::kNone;
        }
      }
    default:
      return Action::kNone;
  }
}

void VideoWindow::set_overlay_visible(bool visible) { overlay_visible_ = visible; }

bool VideoWindow::take_pending() {
  std::optional<VideoFrame> remote, self;
  std::optional<std::vector<std::string>> overlay;
  std::optional<std::string> prompt;
  {
    std::lock_guard lock(mu_);
    remote.swap(pending_remote_);
    self.swap(pending_self_);
    overlay.swap(pending_overlay_);
    prompt.swap(pending_prompt_);
    wake_posted_ = false;
  }
  bool changed = false;
  if (remote && remote_.upload(renderer_.get(), *remote)) {
    changed = true;
    std::lock_guard lock(mu_);
    ++stats_.remote_frames_shown;
  }
  if (remote_.shown() && !sized_to_remote_) {
    // First picture: fit the window to it (within the configured size).
    sized_to_remote_ = true;
    const LayoutRect size = fit_within(remote_.width, remote_.height, config_.width, config_.height);
    if (size.w >= 64 && size.h >= 64) SDL_SetWindowSize(window_.get(), size.w, size.h);
  }
  if (self && self_.upload(renderer_.get(), *self)) changed = true;
  if (overlay) {
    overlay_ = std::move(*overlay);
    changed |= overlay_visible_;
  }
  if (prompt && *prompt != prompt_) {
    prompt_ = std::move(*prompt);
    changed = true;
  }
  return changed;
}

void VideoWindow::draw() {
  SDL_Renderer* r = renderer_.get();
  int w = 0, h = 0;
  SDL_GetRendererOutputSize(r, &w, &h);
  SDL_SetRenderDrawBlendMode(r, SDL_BLENDMODE_NONE);
  set_color(r, kBackground);
  SDL_RenderClear(r);

  if (remote_.shown()) {
    const SDL_Rect dst = to_sdl(letterbox(remote_.width, remote_.height, {0, 0, w, h}));
    SDL_RenderCopy(r, remote_.texture.get(), nullptr, &dst);
  } else {
    constexpr const char* kWaiting = "waiting for video...";
    const int scale = w >= 640 ? 3 : 2;
    draw_text(kWaiting, (w - text_width(kWaiting, scale)) / 2, (h - kGlyphHeight * scale) / 2,
              scale, kWaitingText);
  }

  if (config_.show_self_view && self_.shown()) {
    const SDL_Rect dst = to_sdl(self_view_rect(self_.width, self_.height, w, h));
    if (dst.w > 0 && dst.h > 0) {
      const SDL_Rect border{dst.x - kSelfBorderWidth, dst.y - kSelfBorderWidth,
                            dst.w + 2 * kSelfBorderWidth, dst.h + 2 * kSelfBorderWidth};
      set_color(r, kSelfBorder);
      SDL_RenderFillRect(r, &border);
      SDL_RenderCopy(r, self_.texture.get(), nullptr, &dst);
    }
  }

  if (overlay_visible_ && !overlay_.empty()) draw_overlay(w);
  if (!prompt_.empty()) draw_prompt(w, h);
}

void VideoWindow::draw_prompt(int output_w, int output_h) {
  SDL_Renderer* r = renderer_.get();
  int scale = output_w >= 960 ? 3 : 2;
  while (scale > 1 && text_width(prompt_, scale) + 4 * kOverlayPadding > output_w) --scale;
  const int text_w = text_width(prompt_, scale);
  const int box_h = kGlyphHeight * scale + 2 * kOverlayPadding;
  const SDL_Rect box{std::max(0, (output_w - text_w) / 2 - kOverlayPadding),
                     std::max(0, output_h - box_h - 4 * kOverlayPadding), text_w + 2 * kOverlayPadding, box_h};
  SDL_SetRenderDrawBlendMode(r, SDL_BLENDMODE_BLEND);
  set_color(r, kOverlayBox);
  SDL_RenderFillRect(r, &box);
  SDL_SetRenderDrawBlendMode(r, SDL_BLENDMODE_NONE);
  draw_text(prompt_, box.x + kOverlayPadding, box.y + kOverlayPadding, scale, kOverlayText);
}

void VideoWindow::draw_overlay(int output_w) {
  SDL_Renderer* r = renderer_.get();
  const int scale = output_w >= 640 ? 2 : 1;
  const int line_height = (kGlyphHeight + 3) * scale;
  int text_w = 0;
  for (const auto& line : overlay_) text_w = std::max(text_w, text_width(line, scale));
  const SDL_Rect box{kOverlayPadding, kOverlayPadding, text_w + 2 * kOverlayPadding,
                     int(overlay_.size()) * line_height + 2 * kOverlayPadding - 3 * scale};
  SDL_SetRenderDrawBlendMode(r, SDL_BLENDMODE_BLEND);  // semi-transparent: video shows through
  set_color(r, kOverlayBox);
  SDL_RenderFillRect(r, &box);
  SDL_SetRenderDrawBlendMode(r, SDL_BLENDMODE_NONE);
  int y = box.y + kOverlayPadding;
  for (const auto& line : overlay_) {
    draw_text(line, box.x + kOverlayPadding, y, scale, kOverlayText);
    y += line_height;
  }
}

void VideoWindow::draw_text(const std::string& text, int x, int y, int scale, SDL_Color color) {
  // Lay the glyphs out at scale 1 and draw each font pixel as a scale x scale
  // rectangle: one batched call instead of scale^2 points per pixel.
  text_rects_.clear();
  peercall::draw_text(text, 0, 0, 1, [&](int px, int py) {
    text_rects_.push_back({x + px * scale, y + py * scale, scale, scale});
  });
  set_color(renderer_.get(), color);
  SDL_RenderFillRects(renderer_.get(), text_rects_.data(), int(text_rects_.size()));
}

VideoWindow::Snapshot VideoWindow::snapshot() {
  // Read back before presenting: after a present the back buffer is undefined.
  Snapshot shot;
  draw();
  SDL_GetRendererOutputSize(renderer_.get(), &shot.width, &shot.height);
  shot.rgb.resize(size_t(shot.width) * shot.height * 3);
  if (SDL_RenderReadPixels(renderer_.get(), nullptr, SDL_PIXELFORMAT_RGB24, shot.rgb.data(),
                           shot.width * 3) != 0) {
    shot = {};
  }
  SDL_RenderPresent(renderer_.get());
  return shot;
}

VideoWindow::Stats VideoWindow::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

}  // namespace peercall
