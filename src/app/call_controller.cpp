#include "app/call_controller.hpp"

#include <spdlog/spdlog.h>

#include <csignal>
#include <future>
#include <cstdlib>
#include <random>

#include "app/banner.hpp"
#include "app/media_sources.hpp"
#include "app/terminal_keys.hpp"
#include "output/file/mkv_recorder.hpp"
#include "output/file/wav_writer.hpp"
#include "output/file/y4m_writer.hpp"
#include "output/sdl/speaker_sink.hpp"
#include "output/sdl/video_window.hpp"
#include "sdp/sdp_parser.hpp"
#include "sdp/sdp_writer.hpp"

namespace peercall {
namespace {

constexpr auto kConnectTimeout = std::chrono::seconds(5);
constexpr auto kHangUpTimeout = std::chrono::milliseconds(800);

uint32_t random_u32() {
  static std::mt19937 rng{std::random_device{}()};
  uint32_t v;
  do v = rng();
  while (v == 0);
  return v;
}

std::string random_id() {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%08x%08x", random_u32(), random_u32());
  return buf;
}

// The window and the recorders are sinks too; this adapts the window's two
// slots to the sink interface.
class WindowRemoteSink : public VideoSink {
 public:
  explicit WindowRemoteSink(VideoWindow& w) : window_(w) {}
  void on_video(const VideoFrame& frame) override { window_.set_remote_frame(frame); }

 private:
  VideoWindow& window_;
};

StreamConfig stream_config(const NegotiatedStream& n, uint32_t clock_rate, uint32_t local_ssrc) {
  StreamConfig s;
  s.send = n.enabled && n.send;
  s.receive = n.enabled && n.receive;
  s.payload_type = n.codec.payload_type;
  s.clock_rate = clock_rate;
  s.local_ssrc = local_ssrc;
  s.remote_ssrc = n.remote_ssrc;
  return s;
}

bool display_available() { return std::getenv("DISPLAY") || std::getenv("WAYLAND_DISPLAY"); }

}  // namespace

RoleTraits traits_of(Role role, size_t max_viewers) {
  switch (role) {
    case Role::kListen: return {true, true, true, 1};
    case Role::kCall: return {true, true, false, 1};
    case Role::kStream: return {true, false, true, max_viewers};
    case Role::kWatch: return {false, true, false, 1};
  }
  return {};
}

CallController::CallController(Role role, MediaOptions options, std::string remote_host,
                               uint16_t remote_port, size_t max_viewers)
    : role_(role),
      traits_(traits_of(role, max_viewers)),
      options_(std::move(options)),
      remote_host_(std::move(remote_host)),
      remote_port_(remote_port),
      video_ssrc_(random_u32()),
      audio_ssrc_(random_u32()),
      status_timer_(io_),
      signals_(io_, SIGINT, SIGTERM) {}

CallController::~CallController() { shut_down(); }

int CallController::run() {
  std::signal(SIGPIPE, SIG_IGN);  // a reader of --video-out - going away is not fatal
  if (start()) {
    network_thread_ = std::thread([this] { io_.run(); });
    main_loop();
  }
  shut_down();
  // The one line that says how it ended.
  if (ending_->code == ExitCode::kOk)
    spdlog::info("{}", ending_->message);
  else
    spdlog::error("{}", ending_->message);
  return to_int(ending_->code);
}

bool CallController::start() {
  auto fail = [this](ExitCode code, const std::string& why) {
    end(code, why);
    return false;
  };
  if (traits_.sends) {
    if (auto ok = open_sources(); !ok) return fail(ExitCode::kError, ok.error());
  }
  if (auto ok = open_sinks(); !ok) return fail(ExitCode::kError, ok.error());
  reporter_ = std::make_unique<StatusReporter>(options_.label, options_.stats_file, !options_.quiet);
  if (!reporter_->stats_file_ok())
    return fail(ExitCode::kError, "cannot write the stats file '" + options_.stats_file + "'");
  udp_ = std::make_unique<UdpEndpoint>(io_);
  auto started = traits_.is_server ? start_server() : start_client();
  if (!started) return ended() ? false : fail(ExitCode::kError, started.error());
  if (receive_) {
    if (auto ok = receive_->start(); !ok) return fail(ExitCode::kError, ok.error());
  }
  if (send_) {
    if (auto ok = send_->start(); !ok) return fail(ExitCode::kError, ok.error());
  }

  signals_.async_wait([this](const boost::system::error_code& ec, int) {
    if (!ec) end(ExitCode::kOk, "hung up");
  });
  on_status_tick();
  work_.emplace(io_.get_executor());
  return true;
}

Result<bool> CallController::open_sources() {
  auto video = open_video_source(options_);
  if (!video) return Error{video.error()};
  auto audio = open_audio_source(options_);
  if (!audio) return Error{audio.error()};
  if (!*video && !*audio) return Error{"nothing to send: --video and --audio are both none"};
  if (*video) spdlog::debug("video: {}", (*video)->describe());
  if (*audio) spdlog::debug("audio: {}", (*audio)->describe());

  H264EncoderConfig encoder;
  encoder.width = options_.width;
  encoder.height = options_.height;
  encoder.fps = options_.fps;
  encoder.bitrate_bps = options_.bitrate_kbps * 1000;
  // One slice thread per core: x264's default (1.5 per core) adds slices that
  // cost bits and synchronisation without finishing a frame any sooner.
  encoder.threads = static_cast<int>(std::max(1u, std::min(4u, std::thread::hardware_concurrency())));
  SendPipeline::Callbacks callbacks;
  callbacks.on_video = [this](EncodedFrame frame) {
    outgoing_video_.push(std::move(frame));
    post_flush();
  };
  callbacks.on_audio = [this](EncodedFrame frame) {
    outgoing_audio_.push(std::move(frame));
    post_flush();
  };
  callbacks.on_self_view = [this](const VideoFrame& frame) {
    if (!window_) return;
    // A streamer previews what viewers see, large; a caller sees themself small.
    if (traits_.receives)
      window_->set_self_frame(frame);
    else
      window_->set_remote_frame(frame);
  };
  callbacks.on_source_ended = [this](std::string why) {
    if (why.empty())
      end(ExitCode::kOk, "the source ended (--loop repeats a file)");
    else
      end(ExitCode::kError, why);
  };
  send_ = std::make_unique<SendPipeline>(std::move(*video), std::move(*audio), encoder,
                                         std::move(callbacks));
  return true;
}

Result<bool> CallController::open_sinks() {
  const bool want_window =
      options_.view == "window" || (options_.view == "auto" && display_available());
  if (want_window) {
    WindowConfig config;
    config.title = "peercall";
    config.show_self_view = traits_.sends && traits_.receives;
    auto window = VideoWindow::open(config);
    if (window) {
      window_ = std::move(*window);
    } else if (options_.view == "window") {
      return Error{window.error()};
    } else {
      spdlog::info("{}: showing a status line only", window.error());
    }
  }
  if (!traits_.receives) return true;

  ReceivePipeline::Outputs outputs;
  if (window_) {
    adapters_.push_back(std::make_unique<WindowRemoteSink>(*window_));
    outputs.video.push_back(adapters_.back().get());
  }
  if (!options_.video_out.empty()) {
    auto y4m = Y4mWriter::open(options_.video_out, options_.fps);
    if (!y4m) return Error{y4m.error()};
    y4m_ = std::move(*y4m);
    outputs.video.push_back(y4m_.get());
  }
  if (options_.speaker != "none") {
    auto speaker = SpeakerSink::open(options_.speaker == "default" ? nullptr : options_.speaker.c_str());
    if (speaker) {
      speaker_ = std::move(*speaker);
      outputs.audio.push_back(speaker_.get());
    } else {
      spdlog::info("{}: received audio is not played (--speaker none hides this)", speaker.error());
    }
  }
  if (!options_.audio_out.empty()) {
    auto wav = WavWriter::open(options_.audio_out);
    if (!wav) return Error{wav.error()};
    wav_ = std::move(*wav);
    outputs.audio.push_back(wav_.get());
  }
  if (!options_.record.empty()) {
    auto mkv = MkvRecorder::open(options_.record, true, true);
    if (!mkv) return Error{mkv.error()};
    recorder_ = std::move(*mkv);
    outputs.recorder = recorder_.get();
  }
  outputs.on_keyframe_needed = [this] {
    asio::post(io_, [this] {
      for (auto& [id, link] : links_) link->request_keyframe();
    });
  };
  receive_ = std::make_unique<ReceivePipeline>(std::move(outputs));
  return true;
}

LocalMediaConfig CallController::local_media(const std::string& address, uint16_t port) const {
  LocalMediaConfig local;
  local.address = address;
  local.port = port;
  local.send_audio = send_ && send_->has_audio();
  local.send_video = send_ && send_->has_video();
  local.recv_audio = traits_.receives;
  local.recv_video = traits_.receives;
  local.audio_ssrc = audio_ssrc_;
  local.video_ssrc = video_ssrc_;
  local.cname = "peercall-" + std::to_string(video_ssrc_);
  return local;
}

Result<bool> CallController::start_server() {
  server_ = std::make_unique<SignallingServer>(
      io_, [this](const std::string& sdp, const OfferContext& ctx) { return on_offer(sdp, ctx); },
      [this](const std::string& id) { return on_remote_hang_up(id); });
  auto port = server_->listen(options_.bind, options_.port);
  if (!port) return Error{port.error()};
  auto bind = asio::ip::make_address(options_.bind);
  auto udp_port = udp_->open(bind, *port);
  if (!udp_port) return Error{udp_port.error()};
  media_port_ = *udp_port;
  const bool stream = role_ == Role::kStream;
  std::fputs(listening_banner(stream ? "streaming" : "waiting for a call",
                              stream ? "peercall watch" : "peercall call", *port)
                 .c_str(),
             stderr);
  return true;
}

Result<bool> CallController::start_client() {
  spdlog::info("calling {}:{} ...", remote_host_, remote_port_);
  auto client = SignallingClient::connect(remote_host_, remote_port_, kConnectTimeout);
  if (!client) {
    end(ExitCode::kConnectFailed, client.error());
    return Error{"connect failed"};
  }
  client_ = std::move(*client);
  auto bind = asio::ip::make_address(options_.bind);
  auto udp_port = udp_->open(bind, 0);
  if (!udp_port) return Error{udp_port.error()};
  media_port_ = *udp_port;
  const LocalMediaConfig local = local_media(client_->local_address(), media_port_);
  const SessionDescription offer = create_offer(local);
  auto answer = client_->post_offer("/whip", write_sdp(offer), kConnectTimeout);
  if (!answer) {
    end(ExitCode::kConnectFailed, answer.error());
    return Error{"call refused"};
  }
  auto answer_sdp = parse_sdp(answer->sdp);
  if (!answer_sdp) {
    end(ExitCode::kConnectFailed, std::string("the other side sent a bad answer: ") + answer_sdp.error());
    return Error{"bad answer"};
  }
  auto negotiated = apply_answer(offer, *answer_sdp);
  if (!negotiated) {
    end(ExitCode::kConnectFailed, std::string("cannot agree on media: ") + negotiated.error());
    return Error{"bad answer"};
  }
  session_location_ = answer->location;
  add_link(*negotiated, client_->remote_address(), "peer", local);
  std::fprintf(stderr, "peercall %s - connected to %s:%u (hang up: Enter, q, Esc, Ctrl-C)\n",
               PEERCALL_VERSION, remote_host_.c_str(), remote_port_);
  return true;
}

OfferResult CallController::on_offer(const std::string& offer_sdp, const OfferContext& context) {
  if (ended()) return {503, "", "", "shutting down"};
  if (links_.size() >= traits_.max_peers) {
    if (role_ == Role::kStream)
      return {503, "", "", "stream full: " + std::to_string(traits_.max_peers) + " viewers"};
    return {409, "", "", "busy: already in a call"};
  }
  auto offer = parse_sdp(offer_sdp);
  if (!offer) return {400, "", "", std::string("bad sdp: ") + offer.error()};
  const LocalMediaConfig local = local_media(context.local_address, media_port_);
  auto answer = create_answer(*offer, local);
  if (!answer) return {488, "", "", std::string("cannot agree on media: ") + answer.error()};
  const std::string id = random_id();
  add_link(answer->second, context.remote_address, id, local);
  if (role_ == Role::kStream)
    spdlog::info("viewer {} joined ({} watching)", context.remote_address, links_.size());
  else
    spdlog::info("call from {}", context.remote_address);
  return {201, write_sdp(answer->first), id, ""};
}

bool CallController::on_remote_hang_up(const std::string& session_id) {
  if (!links_.count(session_id)) return false;
  remove_link(session_id, ExitCode::kOk,
              role_ == Role::kStream ? "viewer left" : "the other side hung up");
  return true;
}

PeerLink& CallController::add_link(const Negotiated& negotiated, const std::string& fallback_address,
                                   const std::string& id, const LocalMediaConfig& local) {
  SessionConfig config;
  config.video = stream_config(negotiated.video, kVideoClockRate, video_ssrc_);
  config.audio = stream_config(negotiated.audio, kAudioSampleRate, audio_ssrc_);
  config.cname = local.cname;

  boost::system::error_code ec;
  auto address = asio::ip::make_address(negotiated.remote_address, ec);
  if (ec || address.is_unspecified()) address = asio::ip::make_address(fallback_address, ec);
  auto transport = udp_->connect({address, negotiated.remote_port});
  auto link = std::make_unique<PeerLink>(
      io_, transport, config,
      [this, id](PeerLink&, SessionEvent event) { on_link_event(id, std::move(event)); });
  PeerLink& ref = *link;
  links_[id] = std::move(link);
  if (linked_at_ == Instant{}) linked_at_ = Clock::now();
  if (send_) send_->request_keyframe();  // a newcomer needs a picture now
  return ref;
}

void CallController::on_link_event(const std::string& id, SessionEvent event) {
  std::visit(
      [&](auto& e) {
        using E = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<E, VideoReceived>) {
          if (receive_) receive_->on_video(std::move(e.frame));
        } else if constexpr (std::is_same_v<E, AudioReceived>) {
          if (receive_) receive_->on_audio(std::move(e.frame), e.lost_before);
        } else if constexpr (std::is_same_v<E, KeyframeRequested>) {
          if (send_) send_->request_keyframe();
        } else if constexpr (std::is_same_v<E, PeerHungUp>) {
          remove_link(id, ExitCode::kOk,
                      role_ == Role::kStream ? "viewer left"
                      : role_ == Role::kWatch ? "the stream ended"
                                              : "the other side hung up");
        } else if constexpr (std::is_same_v<E, PeerTimedOut>) {
          remove_link(id, ExitCode::kPeerLost, "lost the other side: nothing heard for 3 s");
        }
      },
      event);
}

void CallController::remove_link(const std::string& id, ExitCode code, const std::string& message) {
  auto it = links_.find(id);
  if (it == links_.end()) return;
  it->second->close();
  // Destroyed later: we may be inside this link's own event callback.
  asio::post(io_, [this, id] { links_.erase(id); });
  if (role_ == Role::kStream) {
    spdlog::info("{} ({} watching)", message, links_.size() - 1);
    return;
  }
  end(code, message, /*tell_peer=*/false);
}

void CallController::post_flush() {
  if (!flush_posted_.exchange(true)) asio::post(io_, [this] { flush_outgoing(); });
}

void CallController::flush_outgoing() {
  flush_posted_ = false;
  while (auto frame = outgoing_video_.try_pop())
    for (auto& [id, link] : links_) link->send_video(*frame);
  while (auto frame = outgoing_audio_.try_pop())
    for (auto& [id, link] : links_) link->send_audio(*frame);
}

void CallController::on_status_tick() {
  StatusTotals t;
  t.at = Clock::now();
  for (auto& [id, link] : links_) {
    const SessionStats s = link->stats();
    t.bytes_out += s.video_out.bytes + s.audio_out.bytes;
    t.bytes_in += s.video_in.bytes + s.audio_in.bytes;
    t.packets_in += s.video_in.packets + s.audio_in.packets;
    t.packets_lost_in += s.video_in.packets_lost + s.audio_in.packets_lost;
    t.frames_lost_in += s.video_in.frames_lost;
    t.audio_too_late += s.audio_in.packets_too_late;
    t.malformed += s.datagrams_malformed;
    if (s.rtt && !t.rtt) t.rtt = s.rtt;
  }
  if (send_) {
    const SendPipelineStats s = send_->stats();
    t.frames_out = s.frames_encoded;
    t.frames_skipped += s.frames_skipped;
  }
  LatencySummary latency;
  if (receive_) {
    const ReceivePipelineStats r = receive_->stats();
    t.frames_in = r.frames_decoded;
    t.audio_concealed = r.audio_frames_concealed;
    t.frames_skipped += r.frames_skipped;
    if (r.first_frame_at != Instant{} && linked_at_ != Instant{}) {
      t.first_picture = r.first_frame_at - linked_at_;
      if (!first_picture_logged_)
        spdlog::info("first picture {:.0f} ms after the call was set up",
                     to_micros(*t.first_picture) / 1000.0);
      first_picture_logged_ = true;
    }
    latency = receive_->latency().take();
  }
  t.peers = static_cast<int>(links_.size());
  auto overlay = reporter_->report(t, latency);
  if (window_ && !overlay.empty()) window_->set_overlay_text(std::move(overlay));
  status_timer_.expires_after(std::chrono::seconds(1));
  status_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) on_status_tick();
  });
}

void CallController::main_loop() {
  TerminalKeys keys(options_.video != "-");
  const auto start = Clock::now();
  const auto deadline = options_.duration_s > 0
                            ? std::optional<Instant>(start + microseconds(int64_t(options_.duration_s * 1e6)))
                            : std::nullopt;
  while (!ended()) {
    if (window_) {
      switch (window_->pump(std::chrono::milliseconds(20))) {
        case VideoWindow::Action::kHangUp: end(ExitCode::kOk, "hung up"); break;
        default: break;
      }
      if (keys.wait_for_hang_up(std::chrono::milliseconds(0))) end(ExitCode::kOk, "hung up");
    } else if (keys.enabled()) {
      if (keys.wait_for_hang_up(std::chrono::milliseconds(100))) end(ExitCode::kOk, "hung up");
    } else {
      std::unique_lock lock(end_mu_);
      end_cv_.wait_for(lock, std::chrono::milliseconds(100), [&] { return ending_.has_value(); });
    }
    if (deadline && Clock::now() >= *deadline) end(ExitCode::kOk, "time is up (--duration)");
  }
}

void CallController::end(ExitCode code, std::string message, bool tell_peer) {
  {
    std::lock_guard lock(end_mu_);
    if (ending_) return;
    ending_ = Ending{code, std::move(message), tell_peer};
  }
  end_cv_.notify_all();
}

bool CallController::ended() const {
  std::lock_guard lock(end_mu_);
  return ending_.has_value();
}

void CallController::shut_down() {
  if (!network_thread_.joinable() && !send_ && !receive_ && !udp_) return;
  // Say goodbye first, so the other side ends within a second.
  std::promise<void> closed;
  auto say_goodbye = [this, &closed] {
    for (auto& [id, link] : links_) link->close();
    if (server_) server_->stop();
    closed.set_value();
  };
  if (network_thread_.joinable()) {
    asio::post(io_, say_goodbye);
    closed.get_future().wait();
  } else {
    say_goodbye();
  }
  if (client_ && !session_location_.empty() && ending_ && ending_->tell_peer)
    client_->hang_up(session_location_, kHangUpTimeout);  // best effort: BYE went already

  if (send_) send_->stop();
  work_.reset();
  if (network_thread_.joinable()) {
    asio::post(io_, [this] {
      links_.clear();
      status_timer_.cancel();
      signals_.cancel();
      udp_->close();
    });
    network_thread_.join();
  }
  links_.clear();
  if (receive_) receive_->stop();
  if (recorder_) recorder_->close();
  if (y4m_) y4m_->close();
  if (wav_) wav_->close();
  if (reporter_) reporter_->finish();
  send_.reset();
  receive_.reset();
  udp_.reset();
}

}  // namespace peercall
