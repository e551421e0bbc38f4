#include "output/sdl/video_window.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdlib>
#include <utility>


namespace peercall {

namespace {

constexpr int kMaxSide = 8192;
constexpr size_t kMaxTyped = 64;
constexpr size_t kMaxActions = 64;
constexpr size_t kMaxLabel = 200;
constexpr auto kFadeRedraw = std::chrono::milliseconds(100);  // fading chat: 10 redraws a second

bool valid(const VideoFrame& f) {
  return !f.empty() && f.width % 2 == 0 && f.height % 2 == 0 && f.width <= kMaxSide &&
         f.height <= kMaxSide && f.i420->size() >= VideoFrame::buffer_size(f.width, f.height);
}

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
  text_.reset();
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
  // Hidden until its renderer exists: SDL may replace the X window with one
  // of the renderer's visual, and a user (or a script) would see a window
  // appear, vanish and come back under another id.
  window_.reset(SDL_CreateWindow(config_.title.c_str(), SDL_WINDOWPOS_CENTERED,
                                 SDL_WINDOWPOS_CENTERED, w, h,
                                 SDL_WINDOW_RESIZABLE | SDL_WINDOW_HIDDEN));
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
  // Letters are commands until a chat line is opened (then text input starts).
  SDL_StopTextInput();
  text_ = std::make_unique<TextRenderer>(renderer_.get(), config_.font_path, config_.mono_font_path);
  SDL_ShowWindow(window_.get());
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

void VideoWindow::set_title(std::string title) {
  std::lock_guard lock(mu_);
  pending_title_ = std::move(title);
  wake_locked();
}

void VideoWindow::set_remote_label(std::string label) {
  if (label.size() > kMaxLabel) label.resize(kMaxLabel);  // the renderer fits it; this bounds it
  std::lock_guard lock(mu_);
  pending_remote_label_ = std::move(label);
  wake_locked();
}

void VideoWindow::set_remote_state(bool audio_muted, bool video_off) {
  std::lock_guard lock(mu_);
  pending_remote_state_ = PeerState{audio_muted, video_off};
  wake_locked();
}

void VideoWindow::set_local_state(bool audio_muted, bool video_off) {
  std::lock_guard lock(mu_);
  pending_local_state_ = PeerState{audio_muted, video_off};
  wake_locked();
}

void VideoWindow::add_chat_line(std::string who, std::string text, Instant at) {
  if (who.size() > kMaxLabel) who.resize(kMaxLabel);
  if (text.size() > WindowKeys::kMaxChatBytes) text.resize(WindowKeys::kMaxChatBytes);
  std::lock_guard lock(mu_);
  pending_chat_.push_back({std::move(who), std::move(text), at});
  if (pending_chat_.size() > kChatLines) pending_chat_.erase(pending_chat_.begin());
  wake_locked();
}

std::string VideoWindow::take_keys() { return std::exchange(typed_, std::string()); }

std::vector<VideoWindow::Action> VideoWindow::take_actions() { return std::exchange(actions_, {}); }

std::optional<std::string> VideoWindow::take_chat_line() { return std::exchange(chat_line_, std::nullopt); }

void VideoWindow::set_fullscreen(bool on) {
  if (SDL_SetWindowFullscreen(window_.get(), on ? SDL_WINDOW_FULLSCREEN_DESKTOP : 0) != 0)
    spdlog::warn("window: cannot {} full screen: {}", on ? "enter" : "leave", SDL_GetError());
}

bool VideoWindow::fullscreen() const {
  return (SDL_GetWindowFlags(window_.get()) & SDL_WINDOW_FULLSCREEN_DESKTOP) != 0;
}

std::string VideoWindow::title() const { return SDL_GetWindowTitle(window_.get()); }

void VideoWindow::wake_locked() {
  // One wake-up event in flight is enough: pump() takes everything pending.
  if (wake_posted_ || wake_event_ == static_cast<Uint32>(-1)) return;
  SDL_Event event{};
  event.type = wake_event_;
  wake_posted_ = SDL_PushEvent(&event) == 1;
}

bool VideoWindow::has_pending() const {
  std::lock_guard lock(mu_);
  return pending_remote_ || pending_self_ || pending_overlay_ || pending_prompt_ || pending_title_ ||
         pending_remote_label_ || pending_remote_state_ || pending_local_state_ || !pending_chat_.empty();
}

VideoWindow::Action VideoWindow::pump(std::chrono::milliseconds max_wait) {
  Action action = Action::kNone;
  bool redraw = false;
  auto merge = [&](Action a) {
    if (a == Action::kNone) return;
    if (actions_.size() < kMaxActions) actions_.push_back(a);
    if (a == Action::kHangUp || action == Action::kNone) action = a;
  };
  SDL_Event event;
  const int wait_ms = has_pending() ? 0 : int(std::clamp<int64_t>(max_wait.count(), 0, 60'000));
  if (wait_ms > 0 ? SDL_WaitEventTimeout(&event, wait_ms) : SDL_PollEvent(&event)) {
    merge(handle(event, redraw));
    while (SDL_PollEvent(&event)) merge(handle(event, redraw));
  }
  if (take_pending()) redraw = true;
  // Chat lines fade and go: redraw while one fades, and when one has gone.
  const Instant now = Clock::now();
  const ChatView chat = chat_view(now);
  if ((chat.fading && now - last_draw_ >= kFadeRedraw) || chat.shown != chat_shown_) redraw = true;
  chat_shown_ = chat.shown;
  if (redraw) {
    draw();
    SDL_RenderPresent(renderer_.get());
    last_draw_ = now;
  }
  return action;
}

VideoWindow::ChatView VideoWindow::chat_view(Instant now) const {
  ChatView view;
  for (const ChatLine& line : chat_) {
    const Duration age = now - line.at;
    if (age >= kChatShown) continue;
    ++view.shown;
    view.fading |= age >= kChatShown - kChatFade;
  }
  return view;
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
      return handle_key(keys_.on_key_down(event.key.keysym.sym, event.key.keysym.mod, event.key.repeat != 0),
                        redraw);
    case SDL_TEXTINPUT:
      return handle_key(keys_.on_text(event.text.text), redraw);
    default:
      return Action::kNone;
  }
}

VideoWindow::Action VideoWindow::handle_key(const WindowKeys::Outcome& outcome, bool& redraw) {
  if (keys_.take_typing_changed()) {
    if (keys_.typing()) SDL_StartTextInput();
    else SDL_StopTextInput();
  }
  redraw |= outcome.changed;
  if (outcome.key && typed_.size() < kMaxTyped) typed_.push_back(outcome.key);
  switch (outcome.action) {
    case Action::kNone:
      return Action::kNone;
    case Action::kToggleStats:
      set_overlay_visible(!overlay_visible_);
      break;
    case Action::kToggleFullscreen:
      set_fullscreen(!fullscreen());
      break;
    case Action::kSwapPictures:
      swapped_ = !swapped_;
      break;
    case Action::kChatLine:
      if (auto line = keys_.take_line()) {
        chat_.push_back({"You", *line, Clock::now()});
        if (chat_.size() > kChatLines) chat_.pop_front();
        chat_line_ = std::move(line);
      }
      break;
    default:
      break;
  }
  return outcome.action;
}

void VideoWindow::set_overlay_visible(bool visible) { overlay_visible_ = visible; }

bool VideoWindow::take_pending() {
  std::optional<VideoFrame> remote, self;
  std::optional<std::vector<std::string>> overlay;
  std::optional<std::string> prompt, title, remote_label;
  std::optional<PeerState> remote_state, local_state;
  std::vector<ChatLine> chat;
  {
    std::lock_guard lock(mu_);
    remote.swap(pending_remote_);
    self.swap(pending_self_);
    overlay.swap(pending_overlay_);
    prompt.swap(pending_prompt_);
    title.swap(pending_title_);
    remote_label.swap(pending_remote_label_);
    remote_state.swap(pending_remote_state_);
    local_state.swap(pending_local_state_);
    chat.swap(pending_chat_);
    wake_posted_ = false;
  }
  bool changed = false;
  if (remote && remote_.upload(renderer_.get(), *remote)) {
    changed = true;
    std::lock_guard lock(mu_);
    ++stats_.remote_frames_shown;
  }
  if (remote_.shown() && !sized_to_remote_ && !fullscreen()) {
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
  if (title) SDL_SetWindowTitle(window_.get(), title->c_str());
  if (remote_label && *remote_label != remote_label_) {
    remote_label_ = std::move(*remote_label);
    changed = true;
  }
  auto update = [&](std::optional<PeerState>& next, PeerState& current) {
    if (!next || (next->audio_muted == current.audio_muted && next->video_off == current.video_off)) return;
    current = *next;
    changed = true;
  };
  update(remote_state, remote_state_);
  update(local_state, local_state_);
  for (auto& line : chat) {
    chat_.push_back(std::move(line));
    if (chat_.size() > kChatLines) chat_.pop_front();
    changed = true;
  }
  return changed;
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
