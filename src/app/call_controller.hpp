#pragma once
// Runs one peercall command end to end: opens sources and sinks, sets the call
// up over HTTP signalling, drives media on the network thread and the window
// or terminal on the main thread, and ends with an exit code that says why.
//
//   listen  : answer one call (two-way), exit when it ends
//   call    : place a call (two-way)
//   stream  : send to up to N viewers until hung up
//   watch   : receive a stream
#include "core/asio.hpp"
#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "app/exit_codes.hpp"
#include "app/media_options.hpp"
#include "app/peer_link.hpp"
#include "app/receive_pipeline.hpp"
#include "app/send_pipeline.hpp"
#include "app/status_reporter.hpp"
#include "net/signalling/signalling_client.hpp"
#include "net/signalling/signalling_server.hpp"
#include "net/udp/udp_endpoint.hpp"
#include "sdp/offer_answer.hpp"

namespace peercall {

class VideoWindow;
class SpeakerSink;
class Y4mWriter;
class WavWriter;
class MkvRecorder;

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
  CallController(Role role, MediaOptions options, std::string remote_host = {},
                 uint16_t remote_port = 0, size_t max_viewers = 4);
  ~CallController();

  // Blocks until the call or stream ends; returns the process exit code.
  int run();

 private:
  struct Ending {
    ExitCode code;
    std::string message;
    bool tell_peer;  // false when the peer ended it or is gone
  };

  // Opens everything and sets the call up; false (with ending_ set) on failure.
  bool start();
  Result<bool> open_sources();
  Result<bool> open_sinks();
  Result<bool> start_server();
  Result<bool> start_client();
  void main_loop();
  void shut_down();

  // Any thread: ends the whole run (first call wins).
  void end(ExitCode code, std::string message, bool tell_peer = true);
  bool ended() const;

  // Network thread.
  OfferResult on_offer(const std::string& offer_sdp, const OfferContext& context);
  bool on_remote_hang_up(const std::string& session_id);
  PeerLink& add_link(const Negotiated& negotiated, const std::string& fallback_address,
                     const std::string& id, const LocalMediaConfig& local);
  void on_link_event(const std::string& id, SessionEvent event);
  void remove_link(const std::string& id, ExitCode code, const std::string& message);
  void post_flush();  // any thread
  void flush_outgoing();
  void on_status_tick();
  LocalMediaConfig local_media(const std::string& address, uint16_t port) const;

  Role role_;
  RoleTraits traits_;
  MediaOptions options_;
  std::string remote_host_;
  uint16_t remote_port_;

  // Media edges.
  std::unique_ptr<VideoWindow> window_;
  std::unique_ptr<SpeakerSink> speaker_;
  std::unique_ptr<Y4mWriter> y4m_;
  std::unique_ptr<WavWriter> wav_;
  std::unique_ptr<MkvRecorder> recorder_;
  std::vector<std::unique_ptr<VideoSink>> adapters_;
  std::unique_ptr<SendPipeline> send_;
  std::unique_ptr<ReceivePipeline> receive_;

  // Network thread and what lives on it.
  asio::io_context io_;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work_;
  std::thread network_thread_;
  std::unique_ptr<UdpEndpoint> udp_;
  std::unique_ptr<SignallingServer> server_;
  std::unique_ptr<SignallingClient> client_;
  std::string session_location_;
  std::map<std::string, std::unique_ptr<PeerLink>> links_;
  uint64_t next_link_id_ = 1;
  uint16_t media_port_ = 0;
  uint32_t video_ssrc_, audio_ssrc_;
  BoundedQueue<EncodedFrame> outgoing_video_{8};
  BoundedQueue<EncodedFrame> outgoing_audio_{16};
  std::atomic<bool> flush_posted_{false};
  asio::steady_timer status_timer_;
  std::unique_ptr<StatusReporter> reporter_;
  asio::signal_set signals_;
  Instant linked_at_{};  // the first peer's call set up (network thread)
  bool first_picture_logged_ = false;

  mutable std::mutex end_mu_;
  std::condition_variable end_cv_;
  std::optional<Ending> ending_;
};

}  // namespace peercall
