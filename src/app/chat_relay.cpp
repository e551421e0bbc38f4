#include "app/chat_relay.hpp"

#include <spdlog/spdlog.h>

#include <chrono>
#include <ctime>

#include "output/sdl/video_window.hpp"

namespace peercall {
namespace {

int64_t unix_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

// "14:03", local time, of the sender's clock (or ours, if its is absurd).
std::string clock_text(int64_t at_ms) {
  const int64_t now = unix_ms();
  if (at_ms <= 0 || at_ms > now + 86'400'000 || at_ms < now - 86'400'000) at_ms = now;
  std::time_t t = static_cast<std::time_t>(at_ms / 1000);
  std::tm tm{};
  localtime_r(&t, &tm);
  char buf[8];
  std::strftime(buf, sizeof buf, "%H:%M", &tm);
  return buf;
}

}  // namespace

void ChatRelay::say(const std::string& line) {
  ChatText text{sanitize_chat_text(line), own_name_, unix_ms()};
  if (text.text.empty()) return;
  if (text.text.size() > kMaxChatTextBytes) {
    std::lock_guard lock(mu_);
    ++stats_.refused_out;
    spdlog::warn("chat: not sent, the line is too long (at most {} bytes)", kMaxChatTextBytes);
    return;
  }
  {
    std::lock_guard lock(mu_);
    const ChatVerdict verdict = out_limiter_.admit(text.text.size(), Clock::now());
    if (verdict != ChatVerdict::kAllowed) {
      ++stats_.refused_out;
      if (verdict == ChatVerdict::kFlood)
        spdlog::warn("chat: not sent, too many lines at once");
      else
        spdlog::warn("chat: not sent, the line is too long (at most {} bytes)", kMaxChatTextBytes);
      return;
    }
  }
  if (!send_json(text)) {
    spdlog::warn("chat: not sent, nobody is connected with a data channel");
    return;
  }
  std::fprintf(stderr, "[%s] you: %s\n", clock_text(text.at_ms).c_str(), text.text.c_str());
}

void ChatRelay::local_state(const LocalMediaState& state) {
  if (window_) window_->set_local_state(state.audio_muted, state.video_off);
  send_json(PeerState{state.audio_muted, state.video_off});
}

bool ChatRelay::send_json(const ChatMessage& message) {
  auto json = write_chat_message(message);
  if (!json) {
    std::lock_guard lock(mu_);
    ++stats_.refused_out;
    return false;
  }
  const bool sent = send_(std::move(*json));
  std::lock_guard lock(mu_);
  if (sent && std::holds_alternative<ChatText>(message)) ++stats_.sent;
  if (!sent && std::holds_alternative<ChatText>(message)) ++stats_.refused_out;
  return sent;
}

void ChatRelay::on_message(const std::string& json) {
  std::optional<ChatMessage> message;
  std::string label;
  {
    std::lock_guard lock(mu_);
    if (in_limiter_.admit(json.size(), Clock::now()) != ChatVerdict::kAllowed) {
      ++stats_.dropped_in;
      return;
    }
    message = decoder_.decode(json);
    if (!message) {
      ++stats_.dropped_in;
      return;
    }
    label = peer_label_;
  }
  if (auto* text = std::get_if<ChatText>(&*message)) {
    const std::string who = text->from.empty() ? label : text->from;
    {
      std::lock_guard lock(mu_);
      ++stats_.received;
    }
    std::fprintf(stderr, "[%s] %s: %s\n", clock_text(text->at_ms).c_str(), who.c_str(), text->text.c_str());
    if (window_) window_->add_chat_line(who, text->text);
    return;
  }
  const auto& state = std::get<PeerState>(*message);
  bool audio_changed, video_changed;
  {
    std::lock_guard lock(mu_);
    audio_changed = !remote_state_known_ ? state.audio_muted : state.audio_muted != stats_.remote_audio_muted;
    video_changed = !remote_state_known_ ? state.video_off : state.video_off != stats_.remote_video_off;
    remote_state_known_ = true;
    stats_.remote_audio_muted = state.audio_muted;
    stats_.remote_video_off = state.video_off;
  }
  if (audio_changed) spdlog::info("{} {} their microphone", label, state.audio_muted ? "muted" : "unmuted");
  if (video_changed) spdlog::info("{} switched their camera {}", label, state.video_off ? "off" : "on");
  if (window_) window_->set_remote_state(state.audio_muted, state.video_off);
}

void ChatRelay::set_peer_label(std::string label) {
  std::lock_guard lock(mu_);
  peer_label_ = std::move(label);
}

ChatRelayStats ChatRelay::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

}  // namespace peercall
