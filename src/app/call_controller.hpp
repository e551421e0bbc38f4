#pragma once
// The composition root of one peercall command: wires the media edges, the
// trust store, the network thread (asio) and the ICE thread (GLib), the call
// set-up (CallServer or CallClient), the link set, the status reporter and the
// main loop, and turns what happens into one exit code. It wires; the
// decisions live in the pieces (admission, trust, link set, set-up).
//
//   listen  : answer one call (two-way), exit when it ends
//   call    : place a call (two-way)
//   stream  : send to up to N viewers until hung up
//   watch   : receive a stream
#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include "app/call_client.hpp"
#include "app/call_controls.hpp"
#include "app/chat_relay.hpp"
#include "app/call_server.hpp"
#include "app/exit_codes.hpp"
#include "app/link_set.hpp"
#include "app/media_edges.hpp"
#include "app/media_options.hpp"
#include "app/peer_trust.hpp"
#include "app/status_reporter.hpp"
#include "core/bounded_queue.hpp"
#include "identity/call_target.hpp"

namespace peercall {

enum class Role { kListen, kCall, kStream, kWatch };

struct RoleTraits {
  bool sends;        // opens sources and encoders
  bool receives;     // opens decoders and sinks
  bool is_server;    // listens for offers
  size_t max_peers;  // at once
};
RoleTraits traits_of(Role role, size_t max_viewers);

class CallController {
 public:
  CallController(Role role, MediaOptions options, CallTarget target = {}, size_t max_viewers = 4);
  ~CallController();

  // Blocks until the call or stream ends; returns the process exit code.
  int run();

 private:
  struct Ending {
    ExitCode code;
    std::string message;
    bool tell_peer;  // false when the peer ended it or is gone
  };

  bool start();
  Result<Done> open_media();
  Result<Done> start_network();
  Result<Done> start_server();
  void shut_down();

  // Any thread: ends the whole run (first call wins).
  void end(ExitCode code, std::string message, bool tell_peer = true);
  bool ended() const;

  // Network thread.
  void on_link_event(const std::string& id, SessionEvent event);
  void remove_link(const std::string& id, ExitCode code, const std::string& message);
  void on_peer_quiet(const std::string& id, const PeerQuiet& quiet);
  void on_local_state(const LocalMediaState& state);  // main thread
  void start_sending();
  void follow_link_rates();  // network thread: the encoder's rate from every link's estimate  // the first peer is connected, or one more viewer
  void post_flush();  // any thread
  void flush_outgoing();
  void on_status_tick();
  LocalMediaConfig local_media() const;
  IceConfig ice_config(bool controlling) const;
  Duration give_up() const { return microseconds(int64_t(options_.give_up_s * 1e6)); }

  Role role_;
  RoleTraits traits_;
  MediaOptions options_;
  CallTarget target_;
  std::string invitation_;

  MediaEdges media_;
  std::unique_ptr<PeerTrust> trust_;

  // Network thread and what lives on it.
  asio::io_context io_;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work_;
  std::thread network_thread_;
  std::unique_ptr<GlibLoopThread> glib_;
  LinkSet links_;
  std::unique_ptr<CallServer> server_;
  std::unique_ptr<CallClient> client_;
  uint32_t video_ssrc_, audio_ssrc_, video_rtx_ssrc_, video_fec_ssrc_;
  BoundedQueue<EncodedFrame> outgoing_video_{8};
  BoundedQueue<EncodedFrame> outgoing_audio_{16};
  std::atomic<bool> flush_posted_{false};
  uint64_t video_dropped_seen_ = 0;     // network thread
  bool video_chain_broken_[LinkSet::kLayers] = {};  // by encoding, until its next keyframe
  uint64_t video_frames_withheld_ = 0;
  asio::steady_timer status_timer_;
  std::unique_ptr<StatusReporter> reporter_;
  asio::signal_set signals_;
  Instant linked_at_{};  // the first peer's channel connected (network thread)
  bool first_picture_logged_ = false;
  std::set<std::string> quiet_links_;  // links that went quiet (network thread)
  bool sending_started_ = false;  // network thread
  std::string sas_;      // network thread

  // --accept ask: the open question, answered by keys on the main thread.
  std::unique_ptr<CallControls> controls_;  // m, v: main thread
  std::unique_ptr<ChatRelay> chat_;
  std::shared_ptr<AdmissionQuestions> questions_ = std::make_shared<AdmissionQuestions>();

  mutable std::mutex end_mu_;
  std::condition_variable end_cv_;
  std::optional<Ending> ending_;
};

}  // namespace peercall
