#pragma once
// The call window: the remote picture large (letterboxed), the self view small
// in a corner, and an optional stats overlay. SDL must be driven from the main
// thread, so the app's main loop calls pump(); other threads only hand over
// frames through latest-only slots (a slow window drops frames, never delays
// the pipeline).
#include <SDL.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "media/device/sdl_subsystem.hpp"
#include "media/frames.hpp"

namespace peercall {

struct WindowConfig {
  std::string title = "peercall";
  int width = 1280;  // initial size, and the cap when sizing to the remote picture
  int height = 720;
  bool show_self_view = true;
};

class VideoWindow {
 public:
  enum class Action { kNone, kHangUp /* Esc, q, Enter, window closed */, kToggleStats };
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

  // Main thread. Waits at most `max_wait` for events or new frames, handles
  // them, renders if anything changed. 's' toggles the overlay (and reports
  // kToggleStats so the app can start/stop collecting stats).
  Action pump(std::chrono::milliseconds max_wait);
  // Main thread. The letter keys and '?' typed since the last call (the keys
  // pump() handles itself, Esc, q, Enter and s, are not in it).
  std::string take_keys();
  void set_overlay_visible(bool visible);
  bool overlay_visible() const { return overlay_visible_; }
  // Main thread. Renders the current scene and reads it back (for tests).
  Snapshot snapshot();
  Stats stats() const;

 private:
  struct WindowDestroyer { void operator()(SDL_Window* w) const { SDL_DestroyWindow(w); } };
  struct RendererDestroyer { void operator()(SDL_Renderer* r) const { SDL_DestroyRenderer(r); } };
  struct TextureDestroyer { void operator()(SDL_Texture* t) const { SDL_DestroyTexture(t); } };

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
  bool take_pending();  // uploads what other threads handed over; true if changed
  void draw();
  void draw_text(const std::string& text, int x, int y, int scale, SDL_Color color);
  void draw_overlay(int output_w);
  void draw_prompt(int output_w, int output_h);

  WindowConfig config_;
  SdlSubsystem video_;
  std::unique_ptr<SDL_Window, WindowDestroyer> window_;
  std::unique_ptr<SDL_Renderer, RendererDestroyer> renderer_;
  Uint32 wake_event_ = 0;

  // Main thread only.
  Picture remote_, self_;
  std::vector<std::string> overlay_;
  bool overlay_visible_ = false;
  bool sized_to_remote_ = false;
  std::string prompt_;
  std::string typed_;  // keys for take_keys()
  std::vector<SDL_Rect> text_rects_;  // scratch for draw_text

  // Shared with the threads handing over frames.
  mutable std::mutex mu_;
  std::optional<VideoFrame> pending_remote_, pending_self_;
  std::optional<std::vector<std::string>> pending_overlay_;
  std::optional<std::string> pending_prompt_;
  bool wake_posted_ = false;
  Stats stats_;
};

}  // namespace peercall
