#include "app/media_edges.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdlib>
#include <thread>

#include "app/media_sources.hpp"
#include "media/audio/processed_audio_source.hpp"
#include "media/device/microphone_source.hpp"
#include "media/device/on_demand_source.hpp"
#include "output/file/mkv_recorder.hpp"
#include "output/file/wav_writer.hpp"
#include "output/file/y4m_writer.hpp"
#include "output/sdl/speaker_sink.hpp"
#include "output/sdl/video_window.hpp"

namespace peercall {
namespace {

// The window's large slot as a sink, beside the recorders.
class WindowRemoteSink : public VideoSink {
 public:
  explicit WindowRemoteSink(VideoWindow& w) : window_(w) {}
  void on_video(const VideoFrame& frame) override { window_.set_remote_frame(frame); }

 private:
  VideoWindow& window_;
};

bool display_available() { return std::getenv("DISPLAY") || std::getenv("WAYLAND_DISPLAY"); }

}  // namespace

MediaEdges::MediaEdges() = default;
MediaEdges::~MediaEdges() = default;

Result<Done> MediaEdges::open_sources(const MediaOptions& options, bool also_receives,
                                      SendPipeline::Callbacks callbacks) {
  auto video = open_video_source(options);
  if (!video) return Error{video.error()};
  auto audio = open_audio_source(options);
  if (!audio) return Error{audio.error()};
  if (!*video && !*audio) return Error{"nothing to send: --video and --audio are both none"};
  if (dynamic_cast<OnDemandAudioSource*>(audio->get()) && (options.aec || options.ns || options.agc)) {
    // Echo cancellation only with a speaker: open_sinks() attaches it to echo_reference.
    const bool aec = options.aec && also_receives && options.speaker != "none";
    auto processor = AudioProcessor::create({aec, options.ns, options.agc});
    if (processor) {
      if (aec) echo_reference = std::make_shared<EchoReference>();
      *audio = std::make_unique<ProcessedAudioSource>(std::move(*audio), std::move(*processor), echo_reference);
    } else {
      spdlog::warn("{}: the microphone is sent unprocessed", processor.error());
    }
  }
  if (*video) spdlog::debug("video: {}", (*video)->describe());
  if (*audio) spdlog::debug("audio: {}", (*audio)->describe());

  H264EncoderConfig encoder;
  // --size: every picture fitted into it (rounded down to even, as 4:2:0
  // needs); without it (0x0) each source is encoded at its own size.
  encoder.width = options.width > 0 ? options.width & ~1 : 0;
  encoder.height = options.height > 0 ? options.height & ~1 : 0;
  if (options.width > 0 && (encoder.width != options.width || encoder.height != options.height))
    spdlog::info("--size {}x{}: encoding {}x{} (H.264 4:2:0 needs even sizes)", options.width, options.height,
                 encoder.width, encoder.height);
  // --fps, else the source's own rate (a file's, the screen's 15), else 30.
  const double source_fps = *video ? (*video)->frame_rate() : 0;
  encoder.fps = options.fps > 0 ? options.fps : source_fps >= 1 ? std::min(int(source_fps + 0.5), 240) : 30;
  encoder.bitrate_bps = options.bitrate_kbps * 1000;
  if (*video && (*video)->screen_content()) {
    // Text must stay readable: the bits the lower frame rate saves go to quality.
    encoder.screen_content = true;
    encoder.crf = SendPipeline::kScreenCrf;
  }
  // One slice thread per core: x264's default (1.5 per core) adds slices that
  // cost bits and synchronisation without finishing a frame any sooner.
  encoder.threads = static_cast<int>(std::max(1u, std::min(4u, std::thread::hardware_concurrency())));
  callbacks.on_self_view = [this, also_receives](const VideoFrame& frame) {
    if (!window) return;
    // A streamer previews what viewers see, large; a caller sees themself small.
    if (also_receives)
      window->set_self_frame(frame);
    else
      window->set_remote_frame(frame);
  };
  send = std::make_unique<SendPipeline>(std::move(*video), std::move(*audio), encoder, std::move(callbacks),
                                        options.fps > 0);
  return Done{};
}

Result<Done> MediaEdges::toggle_screen_share(const MediaOptions& options) {
  if (!send || !send->has_video()) return Error{"nothing to switch: this side sends no video"};
  const bool main_is_screen = options.video == "screen" || options.video.rfind("screen:", 0) == 0;
  MediaOptions other = options;
  // Back to what --video named, or over to the screen (from a screen: the camera).
  const bool to_screen = main_is_screen ? showing_alternate_ : !showing_alternate_;
  if (showing_alternate_) {
    other.video = options.video;
  } else {
    other.video = main_is_screen ? "auto" : "screen";
  }
  auto next = open_video_source(other);
  if (!next) return Error{std::string(to_screen ? "cannot share the screen: " : "cannot switch back: ") + next.error()};
  if (!*next) return Error{"nothing to switch to"};
  send->switch_video(std::move(*next));
  showing_alternate_ = !showing_alternate_;
  return Done{};
}

Result<Done> MediaEdges::open_window(const MediaOptions& options, bool sends, bool receives) {
  const bool want = options.view == "window" || (options.view == "auto" && display_available());
  if (!want) return Done{};
  WindowConfig config;
  config.title = "peercall";
  config.show_self_view = sends && receives;
  auto opened = VideoWindow::open(config);
  if (opened) {
    window = std::move(*opened);
  } else if (options.view == "window") {
    return Error{opened.error()};
  } else {
    spdlog::info("{}: showing a status line only", opened.error());
  }
  return Done{};
}

Result<Done> MediaEdges::open_sinks(const MediaOptions& options, std::function<void()> on_keyframe_needed) {
  ReceivePipeline::Outputs outputs;
  if (window) {
    adapters.push_back(std::make_unique<WindowRemoteSink>(*window));
    outputs.video.push_back(adapters.back().get());
  }
  if (!options.video_out.empty()) {
    auto opened = Y4mWriter::open(options.video_out, options.fps);
    if (!opened) return Error{opened.error()};
    y4m = std::move(*opened);
    outputs.video.push_back(y4m.get());
  }
  if (options.speaker != "none") {
    auto opened = SpeakerSink::open(options.speaker == "default" ? nullptr : options.speaker.c_str());
    if (opened) {
      speaker = std::move(*opened);
      if (echo_reference) speaker->set_echo_reference(echo_reference);
      speaker->set_extra_delay(milliseconds(options.speaker_delay_ms));
      outputs.audio.push_back(speaker.get());
    } else {
      spdlog::info("{}: received audio is not played (--speaker none hides this)", opened.error());
    }
  }
  if (!options.audio_out.empty()) {
    auto opened = WavWriter::open(options.audio_out);
    if (!opened) return Error{opened.error()};
    wav = std::move(*opened);
    outputs.audio.push_back(wav.get());
  }
  if (!options.record.empty()) {
    auto opened = MkvRecorder::open(options.record, true, true);
    if (!opened) return Error{opened.error()};
    recorder = std::move(*opened);
    outputs.recorder = recorder.get();
  }
  outputs.on_keyframe_needed = std::move(on_keyframe_needed);
  receive = std::make_unique<ReceivePipeline>(std::move(outputs));
  return Done{};
}

void MediaEdges::close() {
  if (send) send->stop();
  if (receive) receive->stop();
  if (recorder) recorder->close();
  if (y4m) y4m->close();
  if (wav) wav->close();
}

}  // namespace peercall
