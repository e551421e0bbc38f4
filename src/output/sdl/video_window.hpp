#pragma once
// The call window: the remote picture large (letterboxed), the self view small
// in a corner (w swaps them), labels and mute/camera badges on both, a chat
// line, a help box and an optional stats overlay. SDL must be driven from the main
// thread, so the app's main loop calls pump(); other threads only hand over
// frames through latest-only slots (a slow window drops frames, never delays
// the pipeline).
#include <SDL.h>

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "core/time.hpp"
#include "media/device/sdl_subsystem.hpp"
#include "media/frames.hpp"
#include "output/sdl/text_renderer.hpp"
#include "output/sdl/window_keys.hpp"
#include "output/sdl/window_layout.hpp"

namespace peercall {

struct WindowConfig {
  std::string title = "peercall";
  int width = 1280;  // initial size, and the cap when sizing to the remote picture
  int height = 720;
  bool show_self_view = true;
  // Labels and overlays; if a font cannot be used the bitmap font draws them.
  std::string font_path = kDefaultSansFont;
  std::string mono_font_path = kDefaultMonoFont;  // the stats overlay and the help box
};

class VideoWindow {
 public:
  // kNone, kHangUp, kToggleStats, kToggleMute, kToggleCamera,
  // kToggleFullscreen, kSwapPictures, kToggleHelp, kChatLine (window_keys.hpp).
  using Action = WindowAction;
  // How long a received chat line stays, the last seconds fading.
  static constexpr std::chrono::seconds kChatShown{15};
  static constexpr std::chrono::seconds kChatFade{3};
  static constexpr size_t kChatLines = 5;
  struct Snapshot {
    int width = 0, height = 0;
    std::vector<uint8_t> rgb;  // RGB24, rows of width * 3 bytes
  };
  struct Stats {
    uint64_t remote_frames_shown = 0;
    uint64_t remote_frames_dropped = 0;  // replaced in the slot before being shown
    uint64_t self_frames_dropped = 0;
  };

  // Main thread. Error "window: no display (set DISPLAY or use --view none)".
  static Result<std::unique_ptr<VideoWindow>> open(const WindowConfig& config);
  ~VideoWindow();
  VideoWindow(const VideoWindow&) = delete;
  VideoWindow& operator=(const VideoWindow&) = delete;

  // Any thread. Only the latest frame is kept; invalid frames are ignored.
  void set_remote_frame(VideoFrame frame);
  void set_self_frame(VideoFrame frame);
  void set_overlay_text(std::vector<std::string> lines);
  // A question for the user, shown large at the bottom until cleared with ""
  // (e.g. "call from 192.0.2.7 ...: a = accept, d = decline").
  void set_prompt_text(std::string text);
  // "peercall - call with Alice".
  void set_title(std::string title);
  // The other side's name on the remote picture ("Alice", "192.0.2.7"); "" for none.
  void set_remote_label(std::string label);
  // A "muted" badge on the remote picture; video_off: a dark "camera off"
  // picture instead of the last frame.
  void set_remote_state(bool audio_muted, bool video_off);
  // The self view: "You (muted)", and "camera off" instead of the last frame.
  void set_local_state(bool audio_muted, bool video_off);
  // A received line, shown bottom-left among the last kChatLines for
  // kChatShown. Lines typed here are shown as "You" by the window itself.
  void add_chat_line(std::string who, std::string text, Instant at = Clock::now());

  // Main thread. Waits at most `max_wait` for events or new frames, handles
  // them, renders if anything changed. Returns kHangUp if any event of this
  // pump asked for it, else its first other action (take_actions() has all).
  // The window handles s (overlay), f (full screen), w (swap), ? (help) and
  // the chat line itself and reports them; m and v are only reported.
  Action pump(std::chrono::milliseconds max_wait);
  // Main thread. Every action since the last call, in order (never kNone).
  std::vector<Action> take_actions();
  // Main thread. A chat line the user finished with Enter.
  std::optional<std::string> take_chat_line();
  // Main thread. The other letter keys typed since the last call (a, d, y,
  // n...; not the window's own keys, and nothing typed into the chat line).
  std::string take_keys();
  void set_overlay_visible(bool visible);
  bool overlay_visible() const { return overlay_visible_; }
  void set_fullscreen(bool on);
  bool fullscreen() const;
  bool swapped() const { return swapped_; }
  bool typing_chat() const { return keys_.typing(); }
  bool help_visible() const { return keys_.help_visible(); }
  std::string title() const;  // as the window has it now
  bool uses_ttf() const { return text_ && text_->uses_ttf(); }
  // Main thread. Renders the current scene and reads it back (for tests).
  Snapshot snapshot();
  Stats stats() const;

 private:
  struct WindowDestroyer { void operator()(SDL_Window* w) const { SDL_DestroyWindow(w); } };
  struct RendererDestroyer { void operator()(SDL_Renderer* r) const { SDL_DestroyRenderer(r); } };
  struct TextureDestroyer { void operator()(SDL_Texture* t) const { SDL_DestroyTexture(t); } };
  struct PeerState {
    bool audio_muted = false, video_off = false;
  };
  struct ChatLine {
    std::string who, text;
    Instant at;
  };

  // A streaming IYUV texture holding the last uploaded frame.
  struct Picture {
    std::unique_ptr<SDL_Texture, TextureDestroyer> texture;
    int width = 0, height = 0;
    bool upload(SDL_Renderer* renderer, const VideoFrame& frame);
    bool shown() const { return texture != nullptr; }
  };

  explicit VideoWindow(const WindowConfig& config);
  Result<bool> create();
  void store(std::optional<VideoFrame>& slot, VideoFrame frame, uint64_t& dropped);
  void wake_locked();
  bool has_pending() const;
  Action handle(const SDL_Event& event, bool& redraw);
  Action handle_key(const WindowKeys::Outcome& outcome, bool& redraw);
  bool take_pending();  // uploads what other threads handed over; true if changed
  struct ChatView {
    size_t shown = 0;
    bool fading = false;
  };
  ChatView chat_view(Instant now) const;

  // Drawing (video_window_draw.cpp).
  void draw();
  void fill(const SDL_Rect& rect, SDL_Color color);
  SDL_Rect draw_picture(Picture& picture, LayoutRect rect, bool is_remote, bool big, int output_w,
                        int output_h);
  // A text in a half-transparent box; returns the box.
  SDL_Rect draw_boxed(const std::string& text, int x, int y, const TextRenderer::Style& style,
                      SDL_Color box);
  SDL_Rect box_size(const std::string& text, const TextRenderer::Style& style);
  void draw_overlay(int output_w);
  int draw_chat_input(int output_w, int output_h);  // returns its top (output_h if none)
  void draw_chat_lines(int bottom, int output_w, Instant now);
  void draw_prompt(int output_w, int bottom);
  void draw_help(int output_w, int output_h);
  int text_pixels(int output_h) const;

  WindowConfig config_;
  SdlSubsystem video_;
  std::unique_ptr<SDL_Window, WindowDestroyer> window_;
  std::unique_ptr<SDL_Renderer, RendererDestroyer> renderer_;
  Uint32 wake_event_ = 0;

  // Main thread only.
  std::unique_ptr<TextRenderer> text_;  // before the renderer goes
  Picture remote_, self_;
  std::vector<std::string> overlay_;
  bool overlay_visible_ = false;
  bool sized_to_remote_ = false;
  bool swapped_ = false;
  std::string prompt_;
  std::string remote_label_;
  PeerState remote_state_, local_state_;
  std::deque<ChatLine> chat_;
  size_t chat_shown_ = 0;  // lines drawn last time
  Instant last_draw_{};
  WindowKeys keys_;
  std::string typed_;  // keys for take_keys()
  std::vector<Action> actions_;  // for take_actions()
  std::optional<std::string> chat_line_;

  // Shared with the threads handing over frames.
  mutable std::mutex mu_;
  std::optional<VideoFrame> pending_remote_, pending_self_;
  std::optional<std::vector<std::string>> pending_overlay_;
  std::optional<std::string> pending_prompt_;
  std::optional<std::string> pending_title_, pending_remote_label_;
  std::optional<PeerState> pending_remote_state_, pending_local_state_;
  std::vector<ChatLine> pending_chat_;
  bool wake_posted_ = false;
  Stats stats_;
};

}  // namespace peercall
