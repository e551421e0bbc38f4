#pragma once
// The call's chat and the two sides' mute / camera state, between the keys
// (terminal and window), the data channel (LinkSet) and what the user sees
// (a line on stderr, the window's chat lines and badges). Both directions are
// bounded: a flood or an oversized line is refused and counted, never queued.
#include <atomic>
#include <functional>
#include <mutex>
#include <string>

#include "app/call_controls.hpp"
#include "chat/chat_limiter.hpp"
#include "chat/chat_message.hpp"

namespace peercall {

class VideoWindow;

struct ChatRelayStats {
  uint64_t sent = 0, received = 0;
  uint64_t refused_out = 0;  // ours: too fast, too long, or no channel
  uint64_t dropped_in = 0;   // theirs: flood, oversized, malformed
  bool remote_audio_muted = false, remote_video_off = false;
};

class ChatRelay {
 public:
  // `send` hands a JSON line to the peers (network thread) and says whether any took it.
  using Send = std::function<bool(std::string)>;

  ChatRelay(std::string own_name, VideoWindow* window, Send send)
      : own_name_(std::move(own_name)), window_(window), send_(std::move(send)) {}

  // Main thread: a line the user typed.
  void say(const std::string& line);
  // Main thread: our microphone / camera changed (also sent again on connect).
  void local_state(const LocalMediaState& state);
  // Network thread: a line from the data channel.
  void on_message(const std::string& json);
  // The name to show for the other side when it gives none (e.g. its address).
  void set_peer_label(std::string label);

  ChatRelayStats stats() const;

 private:
  bool send_json(const ChatMessage& message);

  std::string own_name_;
  VideoWindow* window_;
  Send send_;
  mutable std::mutex mu_;  // the limiters and counters, from either thread
  ChatLimiter out_limiter_, in_limiter_;
  ChatDecoder decoder_;
  ChatRelayStats stats_;
  std::string peer_label_ = "them";
  bool remote_state_known_ = false;
};

}  // namespace peercall
