#include "app/call_controller.hpp"

#include <openssl/rand.h>
#include <spdlog/spdlog.h>

#include <csignal>
#include <cstdlib>
#include <future>

#include "app/banner.hpp"
#include "app/guest_page.hpp"
#include "app/main_loop.hpp"
#include "identity/invitation.hpp"
#include "media/file/media_file_reader.hpp"
#include "output/file/mkv_recorder.hpp"
#include "output/file/wav_writer.hpp"
#include "output/file/y4m_writer.hpp"
#include "output/sdl/video_window.hpp"

namespace peercall {
namespace {

uint32_t random_ssrc() {
  uint32_t v = 0;
  while (v == 0) RAND_bytes(reinterpret_cast<unsigned char*>(&v), sizeof v);
  return v;
}

// Waits on the network thread for fn's result.
template <class F>
auto on_network_thread(asio::io_context& io, F fn) {
  std::promise<decltype(fn())> result;
  auto future = result.get_future();
  asio::post(io, [&] { result.set_value(fn()); });
  return future.get();
}

// How we sign our chat lines: the login name, as a first guess.
std::string own_chat_name(const MediaOptions&) {
  if (const char* user = std::getenv("USER"); user && *user) return user;
  return "peercall";
}

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

CallController::CallController(Role role, MediaOptions options, CallTarget target, size_t max_viewers)
    : role_(role),
      traits_(traits_of(role, max_viewers)),
      options_(std::move(options)),
      target_(std::move(target)),
      links_(role == Role::kStream ? options_.layers : 1),
      video_ssrc_(random_ssrc()),
      audio_ssrc_(random_ssrc()),
      video_rtx_ssrc_(random_ssrc()),
      video_fec_ssrc_(random_ssrc()),
      status_timer_(io_),
      signals_(io_, SIGINT, SIGTERM) {}

CallController::~CallController() { shut_down(); }

int CallController::run() {
  std::signal(SIGPIPE, SIG_IGN);  // a reader of --video-out - going away is not fatal
  if (start()) {
    run_main_loop(media_.window.get(), options_.video != "-" && options_.audio != "-",
                  options_.duration_s > 0
                      ? std::optional<Duration>(microseconds(int64_t(options_.duration_s * 1e6)))
                      : std::nullopt,
                  {[this] { return ended(); }, [this] { end(ExitCode::kOk, "hung up"); },
                   [this] { end(ExitCode::kOk, "time is up (--duration)"); },
                   [this](Duration d) {
                     std::unique_lock lock(end_mu_);
                     end_cv_.wait_for(lock, d, [&] { return ending_.has_value(); });
                   },
                   [this](char key) { return questions_->on_key(key) || (controls_ && controls_->on_key(key)); },
                   [this] { return questions_->prompt(); },
                   [this](std::string line) {
                     if (chat_) chat_->say(line);
                   }});
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
  auto trust = PeerTrust::open(options_);
  if (!trust) return fail(ExitCode::kError, trust.error());
  trust_ = std::move(*trust);
  if (traits_.is_server) {
    if (options_.invite.empty()) {
      invitation_ = new_invitation_code();
    } else {
      auto code = validate_invitation_code(options_.invite);
      if (!code) return fail(ExitCode::kUsage, "--invite: " + code.error());
      invitation_ = *code;
    }
  }
  if (auto ok = open_media(); !ok) return fail(ExitCode::kError, ok.error());
  chat_ = std::make_unique<ChatRelay>(own_chat_name(options_), media_.window.get(), [this](std::string json) {
    return on_network_thread(io_, [&] { return links_.send_message(json) > 0; });
  });
  if (!options_.name.empty()) chat_->set_peer_label(options_.name);
  controls_ = std::make_unique<CallControls>(
      media_.send.get(), [this](const LocalMediaState& state) { on_local_state(state); },
      [this] {
        if (auto ok = media_.toggle_screen_share(options_); !ok) spdlog::warn("{}", ok.error());
      });
  reporter_ = std::make_unique<StatusReporter>(options_.label, options_.stats_file, !options_.quiet);
  if (!reporter_->stats_file_ok())
    return fail(ExitCode::kError, "cannot write the stats file '" + options_.stats_file + "'");
  if (auto ok = start_network(); !ok) return ended() ? false : fail(ExitCode::kError, ok.error());

  if (traits_.is_server) {
    if (auto ok = start_server(); !ok) return fail(ExitCode::kError, ok.error());
  } else {
    CallClientConfig cc;
    cc.watch = role_ == Role::kWatch;
    cc.host = target_.host;
    cc.port = target_.port;
    cc.code = target_.code;
    cc.ice = ice_config(true);
    cc.peer_timeout = give_up();
    cc.local = local_media();
    client_ = std::make_unique<CallClient>(io_, *glib_, *trust_, links_, std::move(cc),
                                           [this](const std::string& id, SessionEvent e) {
                                             on_link_event(id, std::move(e));
                                           });
    if (auto failure = client_->place_call())
      return fail(failure->connect_failed ? ExitCode::kConnectFailed : ExitCode::kError, failure->message);
    std::fprintf(stderr, "peercall %s - calling %s:%u; the connection is being encrypted (hang up: Enter, q, Esc, Ctrl-C)\n",
                 PEERCALL_VERSION, target_.host.c_str(), target_.port);
  }
  if (media_.receive) {
    if (auto ok = media_.receive->start(); !ok) return fail(ExitCode::kError, ok.error());
  }
  // The sources start when the first peer is connected (start_sending): an
  // idle listener captures nothing and its camera's light stays off. A live
  // pipe is read (and dropped) from the start, paused, so that its writer
  // never blocks and the first peer gets what is live, not a backlog.
  if (media_.send && (is_live_input(options_.video) || is_live_input(options_.audio))) {
    media_.send->set_paused(true);
    sending_started_ = true;
    if (auto ok = media_.send->start(); !ok) return fail(ExitCode::kError, ok.error());
  }
  asio::post(io_, [this] {
    signals_.async_wait([this](const boost::system::error_code& ec, int) {
      if (!ec) end(ExitCode::kOk, "hung up");
    });
    on_status_tick();
  });
  return true;
}

Result<Done> CallController::open_media() {
  if (traits_.sends) {
    SendPipeline::Callbacks callbacks;
    callbacks.on_video = [this](EncodedFrame frame) {
      outgoing_video_.push(std::move(frame));
      post_flush();
    };
    callbacks.on_audio = [this](EncodedFrame frame) {
      outgoing_audio_.push(std::move(frame));
      post_flush();
    };
    callbacks.on_source_ended = [this](std::string why) {
      // Drained: the last frames go out before the goodbye.
      asio::post(io_, [this, why] {
        flush_outgoing();
        if (why.empty())
          end(ExitCode::kOk, "the source ended (--loop repeats a file)");
        else
          end(ExitCode::kError, why);
      });
    };
    if (auto ok = media_.open_sources(options_, traits_.receives, std::move(callbacks)); !ok) return ok;
  }
  if (auto ok = media_.open_window(options_, traits_.sends, traits_.receives); !ok) return ok;
  if (!traits_.receives) return Done{};
  auto opened = media_.open_sinks(options_, [this] { asio::post(io_, [this] { links_.request_keyframes(); }); });
  if (!opened) return opened;
  // A broken output ends the call (exit 1: what was recorded is lost); a
  // reader of stdout going away only ends that output.
  auto on_failure = [this](const OutputFailure& failure) {
    if (failure.reader_left)
      spdlog::warn("{}: that output ends here, the call goes on", failure.message);
    else
      end(ExitCode::kError, failure.message);
  };
  if (media_.y4m) media_.y4m->on_failure(on_failure);
  if (media_.wav) media_.wav->on_failure(on_failure);
  if (media_.recorder) media_.recorder->on_failure(on_failure);
  return Done{};
}

Result<Done> CallController::start_network() {
  glib_ = std::make_unique<GlibLoopThread>();
  work_.emplace(io_.get_executor());
  network_thread_ = std::thread([this] { io_.run(); });
  return Done{};
}

Result<Done> CallController::start_server() {
  CallServerConfig sc;
  sc.is_stream = role_ == Role::kStream;
  sc.max_peers = traits_.max_peers;
  sc.bind = options_.bind;
  sc.port = options_.port;
  sc.invitation = invitation_;
  auto accept = parse_accept_mode(options_.accept);
  if (!accept) return Error{accept.error()};
  sc.accept = *accept;
  sc.questions = questions_;
  sc.ice = ice_config(false);
  sc.peer_timeout = give_up();
  sc.page_html = guest_page_html(role_ == Role::kStream);
  sc.local_media = [this] { return local_media(); };
  server_ = std::make_unique<CallServer>(
      io_, *glib_, *trust_, links_, std::move(sc),
      [this](const std::string& id, SessionEvent e) { on_link_event(id, std::move(e)); },
      [this](const std::string& id, const std::string& line) { remove_link(id, ExitCode::kOk, line); });
  auto port = on_network_thread(io_, [this] { return server_->start(); });
  if (!port) return Error{port.error()};
  BannerInfo banner{role_ == Role::kStream, *port, options_.bind, invitation_, trust_->own_fingerprint()};
  std::fputs(listening_banner(banner).c_str(), stderr);
  return Done{};
}

LocalMediaConfig CallController::local_media() const {
  LocalMediaConfig local;
  local.send_audio = media_.send && media_.send->has_audio();
  local.send_video = media_.send && media_.send->has_video();
  local.recv_audio = traits_.receives;
  local.recv_video = traits_.receives;
  local.audio_ssrc = audio_ssrc_;
  local.video_ssrc = video_ssrc_;
  local.video_rtx_ssrc = video_rtx_ssrc_;
  // FlexFEC between peercalls, RED + ULPFEC to browsers, sized by the loss.
  local.video_fec_ssrc = options_.fec ? video_fec_ssrc_ : 0;
  local.cname = "peercall-" + std::to_string(video_ssrc_);
  local.data_channel = true;  // chat and mute / camera state, end-to-end encrypted
  local.transport_cc = true;  // congestion control: the encoder follows the link
  return local;
}

IceConfig CallController::ice_config(bool controlling) const {
  IceConfig ice;
  ice.controlling = controlling;
  ice.bind_address = options_.bind == "::" || options_.bind == "0.0.0.0" ? "" : options_.bind;
  if (!options_.stun.empty()) ice.stun = *parse_stun_server(options_.stun);  // checked by the CLI
  for (const auto& t : options_.turn) ice.turn.push_back(*parse_turn_server(t));
  ice.include_loopback = true;  // a peer on this same machine is reachable too
  ice.relay_only = options_.relay_only;
  // The session ends the call first (it counts only authenticated packets);
  // this is the transport's own backstop.
  ice.consent_timeout = give_up() + seconds(2);
  return ice;
}

void CallController::on_link_event(const std::string& id, SessionEvent event) {
  std::visit(
      [&](auto& e) {
        using E = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<E, VideoReceived>) {
          if (media_.receive) media_.receive->on_video(std::move(e.frame));
        } else if constexpr (std::is_same_v<E, AudioReceived>) {
          if (media_.receive) media_.receive->on_audio(std::move(e.frame), e.sequence);
        } else if constexpr (std::is_same_v<E, KeyframeRequested>) {
          const int layer = links_.keyframe_layer(id);
          if (media_.send && links_.keyframe_due(Clock::now(), layer)) media_.send->request_keyframe(layer);
        } else if constexpr (std::is_same_v<E, Connected>) {
          const std::string sas = trust_->short_auth_string_with(e.remote_fingerprint);
          if (sas_.empty()) sas_ = sas;
          PeerLink* link = links_.find(id);
          spdlog::info("connected, end-to-end encrypted (DTLS-SRTP){}; check aloud that both sides show {}",
                       link && !link->path().empty() ? " via " + link->path() : "", sas);
          trust_->remember(e.remote_fingerprint);
          if (linked_at_ == Instant{}) linked_at_ = Clock::now();
          start_sending();
          // A newcomer learns that we are muted or have the camera off.
          if (const LocalMediaState st = controls_->state(); st != LocalMediaState{}) {
            if (auto json = write_chat_message(PeerState{st.audio_muted, st.video_off}); json && link)
              (void)link->send_message(*json);
          }
          if (media_.window) {
            const std::string who = options_.name.empty() ? "the other side" : options_.name;
            media_.window->set_title("peercall - " + std::string(role_ == Role::kWatch ? "watching " : "call with ") + who);
            if (!options_.name.empty()) media_.window->set_remote_label(options_.name);
          }
        } else if constexpr (std::is_same_v<E, TargetBitrate>) {
          const Instant now = Clock::now();
          links_.set_video_target(id, e.video_bps, now);
          follow_link_rates();
          spdlog::debug("bwe at {:.3f}: {} kbit/s, video {}", to_micros(now) / 1e6, e.total_bps / 1000, e.video_bps / 1000);
          if (e.pause_video > Duration{}) spdlog::debug("video: collapse at {:.3f}: paused, target {} kbit/s", to_micros(now) / 1e6, e.video_bps / 1000);
          if (e.resume_video) spdlog::debug("video: drained at {:.3f}", to_micros(now) / 1e6);
          if (e.pause_video > Duration{} && media_.send)
            if (auto layer = links_.on_collapse(id, e.pause_video, now)) media_.send->pause_video_for(e.pause_video, *layer);
          if (e.resume_video && media_.send)
            if (auto layer = links_.on_drained(id, now)) media_.send->pause_video_for(Duration{}, *layer);
        } else if constexpr (std::is_same_v<E, PeerMessage>) {
          if (chat_) chat_->on_message(e.text);
        } else if constexpr (std::is_same_v<E, ConnectionFailed>) {
          PeerLink* link = links_.find(id);
          const bool was_connected = link && link->connected();
          remove_link(id, was_connected ? ExitCode::kPeerLost : ExitCode::kConnectFailed, e.reason);
        } else if constexpr (std::is_same_v<E, PeerHungUp>) {
          remove_link(id, ExitCode::kOk,
                      role_ == Role::kStream ? "viewer left"
                      : role_ == Role::kWatch ? "the stream ended"
                                              : "the other side hung up");
        } else if constexpr (std::is_same_v<E, PeerQuiet>) {
          on_peer_quiet(id, e);
        } else if constexpr (std::is_same_v<E, PeerTimedOut>) {
          remove_link(id, ExitCode::kPeerLost,
                      fmt::format("lost the other side: nothing heard for {:.0f} s", to_seconds(e.silent_for)));
        }
      },
      event);
}

void CallController::follow_link_rates() {
  if (!media_.send) return;
  for (int layer = 0; layer < LinkSet::kLayers; ++layer) {
    const int bps = links_.layer_bitrate(layer);
    if (layer == 0 && bps == 0) continue;  // no estimate yet: the configured rate
    media_.send->set_video_bitrate(bps, layer);
  }
}

void CallController::remove_link(const std::string& id, ExitCode code, const std::string& message) {
  if (!links_.contains(id)) return;
  links_.remove(io_, id);
  quiet_links_.erase(id);
  follow_link_rates();
  if (role_ == Role::kStream) {
    spdlog::info("{} ({} watching)", message, links_.size());
    if (links_.size() == 0 && media_.send && sending_started_) media_.send->set_paused(true);
    return;
  }
  if (role_ == Role::kListen && code == ExitCode::kConnectFailed) {
    // A caller who never got through does not end a listener's wait.
    spdlog::warn("a call failed to connect: {}", message);
    return;
  }
  end(code, message, /*tell_peer=*/false);
}

void CallController::on_peer_quiet(const std::string& id, const PeerQuiet& quiet) {
  const char* who = role_ == Role::kStream ? "a viewer" : role_ == Role::kWatch ? "the stream" : "the other side";
  if (quiet.quiet) {
    quiet_links_.insert(id);
    spdlog::warn("{} went quiet: nothing heard for {:.0f} s; waiting for it (up to {:.0f} s)", who,
                 to_seconds(quiet.silent_for), options_.give_up_s);
  } else {
    quiet_links_.erase(id);
    spdlog::info("{} is back after {:.1f} s", who, to_seconds(quiet.silent_for));
  }
}

void CallController::on_local_state(const LocalMediaState& state) {
  if (chat_) chat_->local_state(state);  // the peer hears of it in band; the window shows it
}

void CallController::start_sending() {
  if (!media_.send) return;
  if (sending_started_) {
    media_.send->set_paused(false);
    media_.send->request_keyframe(0);  // a newcomer (on the first encoding) needs a picture now
    return;
  }
  sending_started_ = true;
  if (auto ok = media_.send->start(); !ok) end(ExitCode::kError, ok.error());
}

void CallController::post_flush() {
  if (!flush_posted_.exchange(true)) asio::post(io_, [this] { flush_outgoing(); });
}

void CallController::flush_outgoing() {
  flush_posted_ = false;
  // An encoded frame dropped for want of room breaks every frame after it up
  // to the next keyframe: send none of them (the receiver sees a pause, never
  // a broken picture) and have the encoder make that keyframe now.
  // (The queue does not say which encoding lost a frame: every one restarts.)
  if (const uint64_t dropped = outgoing_video_.dropped(); dropped != video_dropped_seen_) {
    video_dropped_seen_ = dropped;
    for (int layer = 0; layer < LinkSet::kLayers; ++layer) {
      video_chain_broken_[layer] = true;
      if (media_.send) media_.send->request_keyframe(layer);
    }
  }
  bool sent_video = false;
  const Instant now = Clock::now();
  while (auto frame = outgoing_video_.try_pop()) {
    bool& broken = video_chain_broken_[std::clamp(frame->layer, 0, LinkSet::kLayers - 1)];
    if (broken && !frame->keyframe) {
      ++video_frames_withheld_;
      continue;
    }
    broken = false;
    links_.send_video(*frame, now);
    sent_video = true;
  }
  if (sent_video && media_.send) {
    // A viewer moving to another encoding, or back after a hold, waits for its keyframe.
    for (const int layer : links_.keyframes_wanted(now))
      if (links_.keyframe_due(now, layer)) media_.send->request_keyframe(layer);
    follow_link_rates();  // a move done may turn the encoding left off
  }
  while (auto frame = outgoing_audio_.try_pop()) links_.send_audio(*frame);
}

void CallController::on_status_tick() {
  StatusTotals t;
  t.at = Clock::now();
  const LinkTotals lt = links_.totals();
  t.bytes_out = lt.bytes_out;
  t.bytes_in = lt.bytes_in;
  t.packets_in = lt.packets_in;
  t.packets_lost_in = lt.packets_lost_in;
  t.frames_lost_in = lt.frames_lost_in;
  t.audio_too_late = lt.audio_too_late;
  t.malformed = lt.malformed;
  t.rejected = lt.rejected;
  t.nacks_sent = lt.nacks_sent;
  t.nacks_received = lt.nacks_received;
  t.retransmitted = lt.retransmitted;
  t.superseded = lt.superseded;
  t.recovered = lt.recovered;
  t.unrecovered = lt.unrecovered;
  t.keyframe_requests_sent = lt.keyframe_requests_sent;
  t.keyframe_requests_received = lt.keyframe_requests_received;
  t.rtt = lt.rtt;
  t.sas = sas_;
  t.bwe_kbps = lt.bwe_kbps;
  t.pacer_delay_ms = lt.pacer_delay_ms;
  t.standing_queue_ms = lt.standing_queue_ms;
  t.video_pauses = lt.video_pauses;
  t.fec_sent = lt.fec_sent;
  t.fec_recovered = lt.fec_recovered;
  t.viewers_on_second_layer = int(lt.viewers_on_second_layer);
  t.layer_switches = lt.layer_switches;
  t.frames_withheld = lt.frames_withheld;
  if (media_.send) {
    const SendPipelineStats s = media_.send->stats();
    t.frames_out = s.frames_encoded;
    t.video_target_kbps = media_.send->video_bitrate() / 1000;
    t.video_layers = media_.send->active_layers();
    if (t.video_layers > 1) t.second_layer_kbps = media_.send->video_bitrate(1) / 1000;
    t.frames_skipped += s.frames_skipped + outgoing_video_.dropped() + video_frames_withheld_;
  }
  LatencySummary latency;
  if (media_.receive) {
    const ReceivePipelineStats r = media_.receive->stats();
    t.frames_in = r.frames_decoded;
    t.audio_concealed = r.audio_frames_concealed;
    t.audio_fec_recovered = r.audio_fec_recovered;
    t.freezes = r.freezes;
    t.av_offset_ms = r.av_offset_ms;
    t.av_sync_video_hold_ms = r.av_sync_video_hold_ms;
    t.av_sync_audio_min_ms = r.av_sync_audio_min_ms;
    t.longest_freeze_ms = r.longest_freeze_ms;
    t.audio_late = r.audio_late;
    t.audio_buffer_ms = r.audio_buffer_ms;
    t.audio_target_ms = r.audio_target_ms;
    t.audio_concealed_pct = 100.0 * r.audio_concealed_fraction;
    t.frames_skipped += r.frames_skipped;
    if (r.first_frame_at != Instant{} && linked_at_ != Instant{}) {
      t.first_picture = r.first_frame_at - linked_at_;
      if (!first_picture_logged_)
        spdlog::info("first picture {:.0f} ms after the connection was up",
                     to_micros(*t.first_picture) / 1000.0);
      first_picture_logged_ = true;
    }
    latency = media_.receive->latency().take();
  }
  t.peers = static_cast<int>(links_.size());
  t.peers_quiet = static_cast<int>(quiet_links_.size());
  if (chat_) {
    const ChatRelayStats c = chat_->stats();
    t.chat_sent = c.sent;
    t.chat_received = c.received;
    t.chat_refused = c.refused_out;
    t.chat_dropped_in = c.dropped_in;
    t.remote_audio_muted = c.remote_audio_muted;
    t.remote_video_off = c.remote_video_off;
  }
  if (controls_) {
    t.audio_muted = controls_->state().audio_muted;
    t.video_off = controls_->state().video_off;
  }
  auto overlay = reporter_->report(t, latency);
  if (media_.window && !overlay.empty()) media_.window->set_overlay_text(std::move(overlay));
  status_timer_.expires_after(std::chrono::seconds(1));
  status_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) on_status_tick();
  });
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
  if (!network_thread_.joinable() && !media_.send && !media_.receive) return;
  // Say goodbye first (RTCP BYE, DTLS close_notify), so the other side ends within a second.
  if (network_thread_.joinable()) {
    on_network_thread(io_, [this] {
      if (server_) server_->shutting_down = true;
      links_.close_all();
      if (server_) server_->stop();
      return true;
    });
  }
  if (client_ && ending_ && ending_->tell_peer) client_->hang_up();  // best effort: BYE went already

  if (media_.send) media_.send->stop();
  work_.reset();
  if (network_thread_.joinable()) {
    asio::post(io_, [this] {
      links_.clear();
      server_.reset();
      status_timer_.cancel();
      signals_.cancel();
    });
    network_thread_.join();
  }
  links_.clear();
  if (glib_) glib_->stop();
  media_.close();
  if (reporter_) reporter_->finish();
  media_.send.reset();
  media_.receive.reset();
}

}  // namespace peercall
