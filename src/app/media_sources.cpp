#include "app/media_sources.hpp"

#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <filesystem>

#include "media/device/camera_source.hpp"
#include "media/device/device_list.hpp"
#include "media/device/microphone_source.hpp"
#include "media/device/on_demand_source.hpp"
#include "media/device/screen_source.hpp"
#include "media/file/file_audio_source.hpp"
#include "media/file/file_video_source.hpp"
#include "media/file/media_file_reader.hpp"
#include "media/file/y4m_pipe_source.hpp"
#include "media/synthetic/test_pattern.hpp"
#include "media/synthetic/tone.hpp"

namespace peercall {
namespace {

// Without --size / --fps: what the camera is asked for and the test pattern
// drawn at. Files and the screen keep their own.
constexpr int kDefaultWidth = 1280, kDefaultHeight = 720, kDefaultFps = 30;
constexpr int kDefaultScreenFps = 15;

bool starts_with(const std::string& s, std::string_view prefix) { return s.rfind(prefix, 0) == 0; }

template <class T, class Base>
Result<std::unique_ptr<Base>> upcast(Result<std::unique_ptr<T>> r) {
  if (!r) return Error{r.error()};
  return std::unique_ptr<Base>(std::move(*r));
}

// Opens the device once now (to fail early and learn what it is), then only
// while it is needed (see OnDemandSource).
Result<std::unique_ptr<VideoSource>> on_demand(std::function<Result<std::unique_ptr<VideoSource>>()> open) {
  auto probe = open();
  if (!probe) return Error{probe.error()};
  return std::unique_ptr<VideoSource>(new OnDemandVideoSource(std::move(*probe), std::move(open)));
}
Result<std::unique_ptr<AudioSource>> on_demand_mic(std::string name) {
  auto probe = upcast<MicrophoneSource, AudioSource>(MicrophoneSource::open(name.empty() ? nullptr : name.c_str()));
  if (!probe) return Error{probe.error()};
  // Reopened later (after mute, between viewers): a microphone unplugged
  // meanwhile sends silence until it is back, instead of ending the sound.
  auto reopen = [name]() -> Result<std::unique_ptr<AudioSource>> {
    return upcast<MicrophoneSource, AudioSource>(MicrophoneSource::open_or_wait(name.empty() ? nullptr : name.c_str()));
  };
  return std::unique_ptr<AudioSource>(new OnDemandAudioSource(std::move(*probe), std::move(reopen)));
}

int width_or_default(const MediaOptions& o) { return o.width > 0 ? o.width & ~1 : kDefaultWidth; }
int height_or_default(const MediaOptions& o) { return o.height > 0 ? o.height & ~1 : kDefaultHeight; }
int fps_or_default(const MediaOptions& o) { return o.fps > 0 ? o.fps : kDefaultFps; }

std::unique_ptr<VideoSource> test_pattern(const MediaOptions& o) {
  return std::make_unique<TestPatternSource>(width_or_default(o), height_or_default(o), fps_or_default(o));
}

Result<std::unique_ptr<VideoSource>> open_camera(const MediaOptions& o, std::string device) {
  CameraConfig config;
  if (!device.empty()) config.device = std::move(device);
  config.width = width_or_default(o);
  config.height = height_or_default(o);
  config.fps = fps_or_default(o);
  return on_demand([config] { return upcast<CameraSource, VideoSource>(CameraSource::open(config)); });
}

Result<std::unique_ptr<VideoSource>> open_screen(const MediaOptions& o, const std::string& spec) {
  auto config = parse_screen_spec(spec);
  if (!config) return Error{config.error()};
  config->fps = o.fps > 0 ? o.fps : kDefaultScreenFps;
  return on_demand([c = *config] { return upcast<ScreenSource, VideoSource>(ScreenSource::open(c)); });
}

// --video names a file or URL (not a device, the pattern or stdin).
bool video_is_file(const std::string& v) {
  return v != "auto" && v != "none" && v != "test" && v != "-" && v != "camera" && !starts_with(v, "camera:") &&
         v != "screen" && !starts_with(v, "screen:");
}

Result<std::unique_ptr<AudioSource>> open_audio_file(const std::string& path, bool loop) {
  FileAudioSourceConfig config;
  config.path = path;
  config.loop = loop;
  config.live = is_live_input(path);
  return upcast<FileAudioSource, AudioSource>(FileAudioSource::open(config));
}

// --audio auto beside a --video file: that file's own sound, if it has any.
// Not for a live input: a FIFO or a stream opened twice would be split
// between the two readers.
std::unique_ptr<AudioSource> audio_of_video_file(const MediaOptions& o) {
  if (!video_is_file(o.video) || is_live_input(o.video)) return nullptr;
  auto audio = open_audio_file(o.video, o.loop);
  if (!audio) {
    spdlog::debug("no audio track in --video: {}", audio.error());
    return nullptr;
  }
  spdlog::info("audio: the sound track of {} (--audio to choose)", o.video);
  return std::move(*audio);
}

}  // namespace

Result<std::unique_ptr<VideoSource>> open_video_source(const MediaOptions& o) {
  const std::string& v = o.video;
  if (v == "none") return std::unique_ptr<VideoSource>();
  if (v == "test") return test_pattern(o);
  if (v == "camera") return open_camera(o, "");
  if (starts_with(v, "camera:")) return open_camera(o, v.substr(7));
  if (v == "screen" || starts_with(v, "screen:")) return open_screen(o, v.substr(6));
  if (v == "auto") {
    if (std::filesystem::exists("/dev/video0")) {
      auto camera = open_camera(o, "");
      if (camera) return camera;
      spdlog::warn("{}; using the test pattern instead", camera.error());
    } else {
      spdlog::info("no camera found: sending the test pattern (--video to choose)");
    }
    return test_pattern(o);
  }
  // A live y4m pipe (stdin, a FIFO named *.y4m): read straight into the
  // frames, for the lowest latency. The file's own size: the send pipeline
  // fits it into --size if given.
  if (v == "-") return upcast<Y4mPipeSource, VideoSource>(Y4mPipeSource::open({}));
  // A FIFO or character device whose name says it carries y4m.
  struct stat st {};
  const bool y4m_pipe = v.size() > 4 && v.compare(v.size() - 4, 4, ".y4m") == 0 && ::stat(v.c_str(), &st) == 0 &&
                        (S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode));
  if (y4m_pipe) return upcast<Y4mPipeSource, VideoSource>(Y4mPipeSource::open({.path = v}));
  FileVideoSourceConfig config;
  config.path = v;
  config.loop = o.loop;
  config.live = is_live_input(v);
  return upcast<FileVideoSource, VideoSource>(FileVideoSource::open(config));
}

Result<std::unique_ptr<AudioSource>> open_audio_source(const MediaOptions& o) {
  const std::string& a = o.audio;
  if (a == "none") return std::unique_ptr<AudioSource>();
  if (a == "tone") return std::unique_ptr<AudioSource>(new ToneSource());
  if (a == "mic") return on_demand_mic("");
  if (starts_with(a, "mic:")) return on_demand_mic(a.substr(4));
  if (a == "auto") {
    if (auto own = audio_of_video_file(o)) return own;
    if (!list_devices().microphones.empty()) {
      auto mic = on_demand_mic("");
      if (mic) return std::move(*mic);
      spdlog::warn("{}; using the test tone instead", mic.error());
    } else {
      spdlog::info("no microphone found: sending the test tone (--audio to choose)");
    }
    return std::unique_ptr<AudioSource>(new ToneSource());
  }
  return open_audio_file(a, o.loop);
}

}  // namespace peercall
