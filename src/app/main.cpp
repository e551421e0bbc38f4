// peercall: private peer-to-peer video calls and live streams.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

extern "C" {
#include <libavutil/log.h>
}

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "app/call_controller.hpp"
#include "app/admission.hpp"
#include "app/config_command.hpp"
#include "app/demo.hpp"
#include "app/devices_command.hpp"
#include "app/terminal_keys.hpp"
#include "identity/call_target.hpp"
#include "media/codec/frame_fit.hpp"
#include "net/ice/ice_config.hpp"

using namespace peercall;

namespace {

// Marks the value in a check's message (see usage_error_text).
constexpr char kQuoted = '\x01';

// "70000: must be 1-65535" (numbers only; what is allowed, not "Could not convert").
CLI::Validator in_range(long lo, long hi) {
  return CLI::Validator(
      [lo, hi](std::string& v) -> std::string {
        char* end = nullptr;
        errno = 0;
        const long n = std::strtol(v.c_str(), &end, 10);
        if (v.empty() || *end != '\0' || errno == ERANGE || n < lo || n > hi)
          return kQuoted + v + ": must be " + std::to_string(lo) + "-" + std::to_string(hi);
        return {};
      },
      std::to_string(lo) + "-" + std::to_string(hi));
}

// Seconds above 0, e.g. 10 or 2.5.
CLI::Validator positive_seconds() {
  return CLI::Validator(
      [](std::string& v) -> std::string {
        char* end = nullptr;
        const double d = std::strtod(v.c_str(), &end);
        if (v.empty() || *end != '\0' || !(d > 0) || d > 1e9)
          return kQuoted + v + ": must be a number of seconds above 0, e.g. 10 or 2.5";
        return {};
      },
      "SECONDS > 0");
}

void add_port_option(CLI::App& cmd, MediaOptions& o) {
  cmd.add_option("--port", o.port, "HTTPS (signalling) port; media goes over UDP ports ICE picks")
      ->check(in_range(1, 65535));
}

void add_accept_option(CLI::App& cmd, std::string& accept, const char* who) {
  cmd.add_option("--accept", accept,
                 std::string("Who gets through: invited (an invitation code or a known peer), ask (you are "
                             "shown an uninvited ") + who +
                     " and accept with a or y, decline with d or n, 30 s), any (everyone: kiosks, tests)")
      ->check(CLI::Validator(
          [](std::string& v) -> std::string {
            auto mode = parse_accept_mode(v);
            return mode ? std::string() : kQuoted + v + ": must be invited, ask or any";
          },
          "invited|ask|any"));
}

void add_media_options(CLI::App& cmd, MediaOptions& o, bool sends, bool receives) {
  // A later option wins, so scripts can add to a base set of options.
  cmd.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  if (sends) {
    cmd.add_option("--video", o.video,
                   "Video source: auto, camera, camera:/dev/videoN, screen, screen:+X,Y,WxH (X11), test, "
                   "FILE or URL (its own sound goes with it under --audio auto), - (y4m on stdin), none")
        ->capture_default_str();
    cmd.add_option("--audio", o.audio, "Audio source: auto, mic, mic:NAME, tone, FILE, none")
        ->capture_default_str();
    cmd.add_option_function<std::string>(
           "--size", [&o](const std::string& v) { std::sscanf(v.c_str(), "%dx%d", &o.width, &o.height); },
           "Video size WIDTHxHEIGHT; each picture is fitted in keeping its aspect, with black borders "
           "(letterbox/pillarbox); odd sizes are rounded down to even. Default: the source's own size "
           "(camera and test pattern 1280x720)")
        ->type_name("WxH")
        ->check([](const std::string& v) -> std::string {
          int w = 0, h = 0;
          char extra = 0;
          if (std::sscanf(v.c_str(), "%dx%d%c", &w, &h, &extra) != 2) return v + ": expected WIDTHxHEIGHT, e.g. 1280x720";
          const std::string why = check_encode_size(w, h);
          return why.empty() ? why : v + ": " + why;
        });
    cmd.add_option("--fps", o.fps, "Frames per second (default: the source's own; camera and test 30, screen 15)")
        ->check(in_range(1, 60));
    cmd.add_option("--bitrate", o.bitrate_kbps, "Video bitrate cap in kbit/s (the encoder aims for quality below it)")
        ->check(in_range(50, 20000));
    cmd.add_flag("--loop", o.loop, "Repeat a file source at its end");
    cmd.add_flag_callback("--no-aec", [&o] { o.aec = false; },
                          "No echo cancellation (on by default when a microphone and a speaker are both used)");
    cmd.add_flag_callback("--no-ns", [&o] { o.ns = false; }, "No noise suppression on the microphone");
    cmd.add_flag_callback("--no-agc", [&o] { o.agc = false; }, "No automatic gain control on the microphone");
    cmd.add_flag_callback("--no-fec", [&o] { o.fec = false; },
                          "No FEC for the video (FlexFEC to peercalls, RED + ULPFEC to browsers, sized by the "
                          "loss): less to send on a lossy link, and a round trip's wait for each lost packet");
  }
  cmd.add_option("--view", o.view, "Window: auto (when a display exists), window, none")
      ->check(CLI::IsMember({"auto", "window", "none"}))
      ->capture_default_str();
  if (receives) {
    cmd.add_option("--speaker", o.speaker, "Speaker: default, NAME, none")->capture_default_str();
    cmd.add_option("--speaker-delay", o.speaker_delay_ms,
                   "Milliseconds the speaker adds that the system does not report (Bluetooth: 100-300), "
                   "so that the pictures wait for the sound")
        ->check(in_range(0, 2000));
    cmd.add_option("--record", o.record, "Record what is received (both tracks) to FILE.mkv");
    cmd.add_option("--video-out", o.video_out, "Write received video as y4m to FILE or - (stdout)");
    cmd.add_option("--audio-out", o.audio_out, "Write received audio as wav to FILE or - (stdout)");
  }
  cmd.add_option("--stats", o.stats_file, "Write the status once a second as JSON lines to FILE (- = stdout)");
  cmd.add_option("--duration", o.duration_s, "Hang up after SECONDS")->check(positive_seconds());
  cmd.add_option("--give-up", o.give_up_s,
                 "When nothing arrives from the other side, wait SECONDS for it before ending the call "
                 "(a link that drops out comes back; default 15)")
      ->check(CLI::Range(1.0, 120.0));
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

// The whole command line and the values it fills; built twice by `peercall
// config` (with and without the settings file) to tell where a value came from.
struct PeercallCommandLine : CommandLine {
  bool verbose = false;
  MediaOptions listen_o, call_o, stream_o, watch_o, demo_o;
  std::string call_target, watch_target;
  size_t max_viewers = 4;
  std::string listen_accept = "invited", stream_accept = "invited";
  CLI::App* config = nullptr;

  explicit PeercallCommandLine(bool read_settings_file)
      : CommandLine("peercall " PEERCALL_VERSION
                    ": private peer-to-peer video calls and live streams, no company in the middle.") {
    app.name("peercall");  // not argv[0]: the help (and the man page made from it) says "peercall"
    app.require_subcommand(1);
    app.set_version_flag("--version", PEERCALL_VERSION);
    app.option_defaults()->always_capture_default();
    if (read_settings_file) {
      app.set_config("--config", default_settings_path(),
                     "Settings file: the options' names, a [section] per command (see `peercall config`)");
      app.allow_config_extras(CLI::config_extras_mode::error);  // a misspelt setting is an error, not ignored
    }
    app.add_flag("-v,--verbose", verbose, "More log output, FFmpeg's included");
    app.footer("Keys in a call (terminal and window):\n" + key_help() +
               "Settings: " + default_settings_path() + " (`peercall config` shows them).\n"
               "Exit codes: 0 hung up or done, 1 a device, file or codec failed, 2 bad command line,\n"
               "3 could not connect (nobody there, busy, refused or declined), 4 the other side vanished.");

    auto* listen = app.add_subcommand("listen", "Wait for a call (two-way video and audio)");
    add_port_option(*listen, listen_o);
    listen->add_option("--invite", listen_o.invite, "A fixed invitation code (default: a new one each run)");
    add_accept_option(*listen, listen_accept, "call");
    add_media_options(*listen, listen_o, true, true);

    auto* call = app.add_subcommand("call", "Call HOST[:PORT]/CODE (two-way video and audio)");
    call->add_option("target", call_target, "HOST[:PORT]/CODE as `peercall listen` printed it")->required();
    call->add_option("--expect-fingerprint", call_o.expect_fingerprint,
                     "Refuse the call unless the other side is \"sha-256 AB:CD:...\"");
    add_media_options(*call, call_o, true, true);

    auto* stream = app.add_subcommand("stream", "Stream live to viewers (one-way)");
    add_port_option(*stream, stream_o);
    stream->add_option("--invite", stream_o.invite, "A fixed invitation code (default: a new one each run)");
    add_accept_option(*stream, stream_accept, "viewer");
    stream->add_option("--max-viewers", max_viewers, "Viewers at once")->check(in_range(1, 16));
    stream->add_option("--layers", stream_o.layers,
                       "Encodings: 2 (default) gives viewers on a much slower link a second, lower one of "
                       "their own (simulcast), so the others keep their picture; 1 = one for all (less CPU)")
        ->check(in_range(1, 2));
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
    config = app.add_subcommand("config", "Show the settings in effect and where each came from: "
                                          "peercall config [COMMAND [OPTIONS]]");
    config->allow_extras();
    config->prefix_command();
  }
};

// CLI11 says "--port: 70000: ..." for a check that quotes the value; we say
// "--port 70000: must be 1-65535". Validators mark the value with kQuoted.
std::string usage_error_text(const CLI::ParseError& e) {
  std::string text = e.what();
  const std::string marker = std::string(": ") + kQuoted;
  if (auto at = text.find(marker); at != std::string::npos) text.replace(at, marker.size(), " ");
  return text;
}

// Only one thing can write to stdout, or the bytes of two streams mix.
std::string stdout_conflict(const MediaOptions& o) {
  std::vector<std::string> on_stdout;
  if (o.video_out == "-") on_stdout.push_back("--video-out -");
  if (o.audio_out == "-") on_stdout.push_back("--audio-out -");
  if (o.stats_file == "-") on_stdout.push_back("--stats -");
  if (o.record == "-") on_stdout.push_back("--record -");
  if (on_stdout.size() < 2) return {};
  std::string list;
  for (size_t i = 0; i < on_stdout.size(); ++i)
    list += (i == 0 ? "" : i + 1 == on_stdout.size() ? " and " : ", ") + on_stdout[i];
  return list + ": only one output can go to stdout (write the others to files)";
}

}  // namespace

int main(int argc, char** argv) {
  auto command_line = std::make_unique<PeercallCommandLine>(true);
  PeercallCommandLine& cli = *command_line;
  CLI::App& app = cli.app;
  bool& verbose = cli.verbose;
  MediaOptions &listen_o = cli.listen_o, &call_o = cli.call_o, &stream_o = cli.stream_o, &watch_o = cli.watch_o,
               &demo_o = cli.demo_o;
  const std::string &call_target = cli.call_target, &watch_target = cli.watch_target;
  const size_t& max_viewers = cli.max_viewers;

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::Success& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "peercall: %s\n", usage_error_text(e).c_str());
    std::fprintf(stderr, "peercall: see `peercall%s --help`\n",
                 app.get_subcommands().empty() ? "" : (" " + app.get_subcommands().front()->get_name()).c_str());
    return to_int(ExitCode::kUsage);
  }
  if (app.got_subcommand("config"))
    return run_config_command(
        cli.config->remaining(), [](bool with_file) { return std::make_unique<PeercallCommandLine>(with_file); },
        default_settings_path());
  for (const MediaOptions* o : {&listen_o, &call_o, &stream_o, &watch_o, &demo_o}) {
    if (const std::string why = stdout_conflict(*o); !why.empty()) {
      std::fprintf(stderr, "peercall: %s\n", why.c_str());
      return to_int(ExitCode::kUsage);
    }
  }
  // --accept (listen, stream): checked by the CLI; handed on with the options.
  listen_o.accept = cli.listen_accept;
  stream_o.accept = cli.stream_accept;

  // stdout belongs to --video-out - and --audio-out -: all messages go to stderr.
  spdlog::set_default_logger(spdlog::stderr_color_mt("peercall"));
  spdlog::set_level(verbose ? spdlog::level::debug : spdlog::level::info);
  // FFmpeg and x264 report every encoder's start and end, and their errors
  // ("moov atom not found") come back to us as codes our one-line messages
  // explain: their own lines only with -v.
  av_log_set_level(verbose ? AV_LOG_INFO : AV_LOG_QUIET);
  auto pattern = [](const MediaOptions& o) {
    return o.label.empty() ? std::string("peercall: %v") : "peercall[" + o.label + "]: %v";
  };

  if (app.got_subcommand("devices")) return run_devices_command();
  if (app.got_subcommand("demo")) return run_demo(demo_o);

  auto run = [&](Role role, MediaOptions& o, const std::string& target, size_t viewers) {
    spdlog::set_pattern(pattern(o));
    // --size / --fps not given: 0 = each source's own (see app/media_sources.hpp).
    if (const CLI::App* sub = app.get_subcommands().front(); sub->get_option_no_throw("--size")) {
      if (sub->count("--size") == 0) o.width = o.height = 0;
      if (sub->count("--fps") == 0) o.fps = 0;
    }
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
