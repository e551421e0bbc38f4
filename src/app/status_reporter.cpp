#include "app/status_reporter.hpp"

#include <unistd.h>

#include <nlohmann/json.hpp>

namespace peercall {

StatusReporter::StatusReporter(std::string label, const std::string& stats_path, bool print)
    : label_(std::move(label)),
      stats_path_given_(!stats_path.empty()),
      print_(print),
      tty_(isatty(STDERR_FILENO)) {
  if (stats_path == "-")
    stats_file_ = stdout;
  else if (!stats_path.empty())
    stats_file_ = std::fopen(stats_path.c_str(), "w");
}

StatusReporter::~StatusReporter() {
  finish();
  if (stats_file_ && stats_file_ != stdout) std::fclose(stats_file_);
}

std::vector<std::string> StatusReporter::report(const StatusTotals& now,
                                                const LatencySummary& latency) {
  if (!previous_) {
    previous_ = now;
    start_ = now.at;
    return {};
  }
  const StatusTotals& before = *previous_;
  const double dt = std::max(1e-3, to_seconds(now.at - before.at));
  // Totals only grow (gone peers stay counted); a rate is never negative even if one did not.
  auto delta = [](uint64_t after, uint64_t earlier) { return after > earlier ? double(after - earlier) : 0.0; };
  const double fps_out = delta(now.frames_out, before.frames_out) / dt;
  const double fps_in = delta(now.frames_in, before.frames_in) / dt;
  const double kbps_out = delta(now.bytes_out, before.bytes_out) * 8 / dt / 1000;
  const double kbps_in = delta(now.bytes_in, before.bytes_in) * 8 / dt / 1000;
  const int64_t received = int64_t(delta(now.packets_in, before.packets_in));
  const int64_t lost = std::max<int64_t>(0, now.packets_lost_in - before.packets_lost_in);
  const double loss_pct = received + lost > 0 ? 100.0 * lost / double(received + lost) : 0;
  const double rtt_ms = now.rtt ? to_micros(*now.rtt) / 1000.0 : -1;
  previous_ = now;

  char line[256];
  // Within 80 columns with every field: "out 30fps 1480k | in 30fps 1475k |
  // loss 0.0% | rtt 10ms | lat 18/22ms (p50/p95) | 123 456 (the check number)".
  int n = std::snprintf(line, sizeof line, "out %2.0ffps %4.0fk | in %2.0ffps %4.0fk | loss %.1f%%",
                        fps_out, kbps_out, fps_in, kbps_in, loss_pct);
  if (rtt_ms >= 0) n += std::snprintf(line + n, sizeof line - n, " | rtt %.0fms", rtt_ms);
  if (latency.samples)
    n += std::snprintf(line + n, sizeof line - n, " | lat %.0f/%.0fms", latency.p50_ms, latency.p95_ms);
  // The other side's state replaces the check number (shown at connect) when it matters.
  if (now.peers_quiet > 0)
    std::snprintf(line + n, sizeof line - n, " | them: quiet, waiting");
  else if (now.remote_audio_muted || now.remote_video_off)
    std::snprintf(line + n, sizeof line - n, " | them: %s", now.remote_audio_muted && now.remote_video_off ? "muted, no cam"
                                                          : now.remote_audio_muted ? "muted" : "camera off");
  else if (!now.sas.empty())
    std::snprintf(line + n, sizeof line - n, " | %s", now.sas.c_str());

  if (print_) {
    const std::string prefix = label_.empty() ? "" : "[" + label_ + "] ";
    if (tty_) {
      std::fprintf(stderr, "\r\033[K%s%s", prefix.c_str(), line);
      line_open_ = true;
    } else {
      std::fprintf(stderr, "%s%s\n", prefix.c_str(), line);
    }
    std::fflush(stderr);
  }
  if (stats_file_) {
    nlohmann::json j = {
        {"t", to_seconds(now.at - start_)},
        {"fps_out", fps_out},
        {"fps_in", fps_in},
        {"kbps_out", kbps_out},
        {"kbps_in", kbps_in},
        {"loss_pct", loss_pct},
        {"frames_out", now.frames_out},
        {"frames_in", now.frames_in},
        {"frames_lost_in", now.frames_lost_in},
        {"packets_in", now.packets_in},
        {"packets_lost_in", now.packets_lost_in},
        {"audio_concealed", now.audio_concealed},
        {"audio_too_late", now.audio_too_late},
        {"frames_skipped", now.frames_skipped},
        {"malformed", now.malformed},
        {"peers", now.peers},
        {"rejected", now.rejected},
        {"nacks_sent", now.nacks_sent},
        {"nacks_received", now.nacks_received},
        {"packets_retransmitted", now.retransmitted},
        {"packets_superseded", now.superseded},
        {"packets_recovered", now.recovered},
        {"packets_unrecovered", now.unrecovered},
        {"keyframe_requests_sent", now.keyframe_requests_sent},
        {"keyframe_requests_received", now.keyframe_requests_received},
        {"encrypted", true},
        {"freezes", now.freezes},
        {"longest_freeze_ms", now.longest_freeze_ms},
        {"bwe_kbps", now.bwe_kbps},
        {"video_target_kbps", now.video_target_kbps},
        {"video_layers", now.video_layers},
        {"second_layer_kbps", now.second_layer_kbps},
        {"viewers_on_second_layer", now.viewers_on_second_layer},
        {"layer_switches", now.layer_switches},
        {"frames_withheld", now.frames_withheld},
        {"pacer_delay_ms", now.pacer_delay_ms},
        {"standing_queue_ms", now.standing_queue_ms},
        {"video_pauses", now.video_pauses},
        {"fec_packets_sent", now.fec_sent},
        {"fec_packets_recovered", now.fec_recovered},
        {"audio_fec_recovered", now.audio_fec_recovered},
        {"audio_late", now.audio_late},
        {"audio_jitter_buffer_ms", now.audio_buffer_ms},
        {"audio_jitter_target_ms", now.audio_target_ms},
        {"audio_concealed_pct", now.audio_concealed_pct},
        {"chat_sent", now.chat_sent},
        {"chat_received", now.chat_received},
        {"chat_refused", now.chat_refused},
        {"chat_dropped_in", now.chat_dropped_in},
        {"audio_muted", now.audio_muted},
        {"video_off", now.video_off},
        {"remote_audio_muted", now.remote_audio_muted},
        {"remote_video_off", now.remote_video_off},
        {"peers_quiet", now.peers_quiet},
    };
    if (!now.sas.empty()) j["sas"] = now.sas;
    if (rtt_ms >= 0) j["rtt_ms"] = rtt_ms;
    if (now.av_offset_ms) {
      j["av_offset_ms"] = *now.av_offset_ms;
      j["av_sync_video_hold_ms"] = now.av_sync_video_hold_ms;
      j["av_sync_audio_min_ms"] = now.av_sync_audio_min_ms;
    }
    if (now.first_picture) j["first_picture_ms"] = to_micros(*now.first_picture) / 1000.0;
    if (latency.samples) {
      j["latency_ms_p50"] = latency.p50_ms;
      j["latency_ms_p95"] = latency.p95_ms;
      j["latency_samples"] = latency.samples;
    }
    std::fprintf(stats_file_, "%s\n", j.dump().c_str());
    std::fflush(stats_file_);
  }

  std::vector<std::string> overlay;
  char buf[96];
  std::snprintf(buf, sizeof buf, "OUT %.1f FPS %.0f KBIT/S", fps_out, kbps_out);
  overlay.emplace_back(buf);
  std::snprintf(buf, sizeof buf, "IN  %.1f FPS %.0f KBIT/S", fps_in, kbps_in);
  overlay.emplace_back(buf);
  std::snprintf(buf, sizeof buf, "LOSS %.1f%%  RTT %.1f MS", loss_pct, rtt_ms < 0 ? 0 : rtt_ms);
  overlay.emplace_back(buf);
  if (latency.samples) {
    std::snprintf(buf, sizeof buf, "LATENCY %.0f MS (P95 %.0f)", latency.p50_ms, latency.p95_ms);
    overlay.emplace_back(buf);
  }
  if (!now.sas.empty()) overlay.push_back("ENCRYPTED  CHECK " + now.sas);
  return overlay;
}

void StatusReporter::finish() {
  if (line_open_) std::fprintf(stderr, "\n");
  line_open_ = false;
}

}  // namespace peercall
