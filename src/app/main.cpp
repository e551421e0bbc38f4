// peercall: private peer-to-peer video calls and live streams.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

extern "C" {
#include <libavutil/log.h>
}

#include <CLI/CLI.hpp>
#include <cstdio>

#include "app/call_controller.hpp"
#include "app/demo.hpp"
#include "app/devices_command.hpp"
#include "identity/call_target.hpp"
#include "net/ice/ice_config.hpp"

using namespace peercall;

namespace {

void add_media_options(CLI::App& cmd, MediaOptions& o, bool sends, bool receives) {
  // A later option wins, so scripts can add to a base set of options.
  cmd.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  if (sends) {
    cmd.add_option("--video", o.video,
                   "Video source: auto, camera, camera:/dev/videoN, test, FILE, - (y4m on stdin), none")
        ->capture_default_str();
    cmd.add_option("--audio", o.audio, "Audio source: auto, mic, mic:NAME, tone, FILE, none")
        ->capture_default_str();
    cmd.add_option("--size", [&o](const CLI::results_t& r) {
         return std::sscanf(r[0].c_str(), "%dx%d", &o.width, &o.height) == 2 && o.width >= 16 &&
                o.height >= 16 && o.width <= 4096 && o.height <= 2304;
       }, "Video size WIDTHxHEIGHT (default 1280x720)")
        ->type_name("WxH");
    cmd.add_option("--fps", o.fps, "Frames per second")->check(CLI::Range(1, 60))->capture_default_str();
    cmd.add_option("--bitrate", o.bitrate_kbps, "Video bitrate cap in kbit/s (the encoder aims for quality below it)")
        ->check(CLI::Range(50, 20000))
        ->capture_default_str();
    cmd.add_flag("--loop", o.loop, "Repeat a file source at its end");
  }
  cmd.add_option("--view", o.view, "Window: auto (when a display exists), window, none")
      ->check(CLI::IsMember({"auto", "window", "none"}))
      ->capture_default_str();
  if (receives) {
    cmd.add_option("--speaker", o.speaker, "Speaker: default, NAME, none")->capture_default_str();
    cmd.add_option("--record", o.record, "Record what is received (both tracks) to FILE.mkv");
    cmd.add_option("--video-out", o.video_out, "Write received video as y4m to FILE or - (stdout)");
    cmd.add_option("--audio-out", o.audio_out, "Write received audio as wav to FILE or - (stdout)");
  }
  cmd.add_option("--stats", o.stats_file, "Write the status once a second as JSON lines to FILE (- = stdout)");
  cmd.add_option("--duration", o.duration_s, "Hang up after SECONDS")->check(CLI::PositiveNumber);
  cmd.add_option("--bind", o.bind, "Local address to bind")->capture_default_str();
  cmd.add_flag("--quiet", o.quiet, "No status line");
  cmd.add_option("--stun", o.stun, "STUN server HOST:PORT (finds our public address behind a router)")
      ->check([](const std::string& v) {
        auto ok = parse_stun_server(v);
        return ok ? std::string() : ok.error();
      });
  cmd.add_option("--turn", o.turn, "TURN relay turn:USER:PASS@HOST:PORT[?transport=tcp] (repeatable)")
      ->check([](const std::string& v) {
        auto ok = parse_turn_server(v);
        return ok ? std::string() : ok.error();
      })
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  cmd.add_flag("--relay-only", o.relay_only, "Media only through the TURN relay (the other side never sees your address)");
  cmd.add_option("--name", o.name, "The other side's name in known_peers: remembered, and checked next time");
  cmd.add_option("--config-dir", o.config_dir, "Where the identity and known_peers live")->group("");
  cmd.add_option("--label", o.label, "Prefix for status lines")->group("");
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"peercall " PEERCALL_VERSION
               ": private peer-to-peer video calls and live streams, no company in the middle."};
  app.require_subcommand(1);
  app.set_version_flag("--version", PEERCALL_VERSION);
  bool verbose = false;
  app.add_flag("-v,--verbose", verbose, "More log output");

  MediaOptions listen_o, call_o, stream_o, watch_o, demo_o;
  std::string call_target, watch_target;
  size_t max_viewers = 4;

  auto* listen = app.add_subcommand("listen", "Wait for a call (two-way video and audio)");
  listen->add_option("--port", listen_o.port, "HTTPS (signalling) port")->capture_default_str();
  listen->add_option("--invite", listen_o.invite, "A fixed invitation code (default: a new one each run)");
  add_media_options(*listen, listen_o, true, true);

  auto* call = app.add_subcommand("call", "Call HOST[:PORT]/CODE (two-way video and audio)");
  call->add_option("target", call_target, "HOST[:PORT]/CODE as `peercall listen` printed it")->required();
  call->add_option("--expect-fingerprint", call_o.expect_fingerprint,
                   "Refuse the call unless the other side is \"sha-256 AB:CD:...\"");
  add_media_options(*call, call_o, true, true);

  auto* stream = app.add_subcommand("stream", "Stream live to viewers (one-way)");
  stream->add_option("--port", stream_o.port, "HTTPS (signalling) port")->capture_default_str();
  stream->add_option("--invite", stream_o.invite, "A fixed invitation code (default: a new one each run)");
  stream->add_option("--max-viewers", max_viewers, "Viewers at once")->check(CLI::Range(1, 16))->capture_default_str();
  add_media_options(*stream, stream_o, true, false);

  auto* watch = app.add_subcommand("watch", "Watch the stream at HOST[:PORT]");
  watch->add_option("target", watch_target, "HOST[:PORT]/CODE as `peercall stream` printed it")->required();
  watch->add_option("--expect-fingerprint", watch_o.expect_fingerprint,
                    "Refuse the stream unless the streamer is \"sha-256 AB:CD:...\"");
  add_media_options(*watch, watch_o, false, true);

  auto* demo = app.add_subcommand("demo", "A call between two local peers on test sources");
  demo_o.video = "test";
  demo_o.audio = "tone";
  demo_o.width = 640;
  demo_o.height = 360;
  demo_o.bitrate_kbps = 800;
  add_media_options(*demo, demo_o, true, true);

  app.add_subcommand("devices", "List cameras, microphones and speakers");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : to_int(ExitCode::kUsage);
  }

  // stdout belongs to --video-out - and --audio-out -: all messages go to stderr.
  spdlog::set_default_logger(spdlog::stderr_color_mt("peercall"));
  spdlog::set_level(verbose ? spdlog::level::debug : spdlog::level::info);
  // FFmpeg and x264 report every encoder's start and end; keep the terminal
  // for the status line unless asked.
  av_log_set_level(verbose ? AV_LOG_INFO : AV_LOG_ERROR);
  auto pattern = [](const MediaOptions& o) {
    return o.label.empty() ? std::string("peercall: %v") : "peercall[" + o.label + "]: %v";
  };

  if (app.got_subcommand("devices")) return run_devices_command();
  if (app.got_subcommand("demo")) return run_demo(demo_o);

  auto run = [&](Role role, MediaOptions& o, const std::string& target, size_t viewers) {
    spdlog::set_pattern(pattern(o));
    CallTarget parsed_target;
    if (!target.empty()) {
      auto parsed = parse_call_target(target, kDefaultPort);
      if (!parsed) {
        spdlog::error("{}", std::string(parsed.error()));
        return to_int(ExitCode::kUsage);
      }
      parsed_target = *parsed;
    }
    CallController controller(role, o, parsed_target, viewers);
    return controller.run();
  };
  if (app.got_subcommand("listen")) return run(Role::kListen, listen_o, "", 1);
  if (app.got_subcommand("call")) return run(Role::kCall, call_o, call_target, 1);
  if (app.got_subcommand("stream")) return run(Role::kStream, stream_o, "", max_viewers);
  if (app.got_subcommand("watch")) return run(Role::kWatch, watch_o, watch_target, 1);
  return to_int(ExitCode::kUsage);
}
