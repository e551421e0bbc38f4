#include "app/media_sources.hpp"

#include <spdlog/spdlog.h>

#include <filesystem>

#include "media/device/camera_source.hpp"
#include "media/device/device_list.hpp"
#include "media/device/microphone_source.hpp"
#include "media/file/file_audio_source.hpp"
#include "media/file/file_video_source.hpp"
#include "media/synthetic/test_pattern.hpp"
#include "media/synthetic/tone.hpp"

namespace peercall {
namespace {

bool starts_with(const std::string& s, std::string_view prefix) { return s.rfind(prefix, 0) == 0; }

template <class T, class Base>
Result<std::unique_ptr<Base>> upcast(Result<std::unique_ptr<T>> r) {
  if (!r) return Error{r.error()};
  return std::unique_ptr<Base>(std::move(*r));
}

Result<std::unique_ptr<VideoSource>> open_camera(const MediaOptions& o, std::string device) {
  CameraConfig config;
  if (!device.empty()) config.device = std::move(device);
  config.width = o.width;
  config.height = o.height;
  config.fps = o.fps;
  return upcast<CameraSource, VideoSource>(CameraSource::open(config));
}

}  // namespace

Result<std::unique_ptr<VideoSource>> open_video_source(const MediaOptions& o) {
  const std::string& v = o.video;
  if (v == "none") return std::unique_ptr<VideoSource>();
  if (v == "test") return std::unique_ptr<VideoSource>(new TestPatternSource(o.width, o.height, o.fps));
  if (v == "camera") return open_camera(o, "");
  if (starts_with(v, "camera:")) return open_camera(o, v.substr(7));
  if (v == "auto") {
    if (std::filesystem::exists("/dev/video0")) {
      auto camera = open_camera(o, "");
      if (camera) return camera;
      spdlog::warn("{}; using the test pattern instead", camera.error());
    } else {
      spdlog::info("no camera found: sending the test pattern (--video to choose)");
    }
    return std::unique_ptr<VideoSource>(new TestPatternSource(o.width, o.height, o.fps));
  }
  FileVideoSourceConfig config;
  config.path = v;
  config.width = o.width;
  config.height = o.height;
  config.loop = o.loop;
  return upcast<FileVideoSource, VideoSource>(FileVideoSource::open(config));
}

Result<std::unique_ptr<AudioSource>> open_audio_source(const MediaOptions& o) {
  const std::string& a = o.audio;
  if (a == "none") return std::unique_ptr<AudioSource>();
  if (a == "tone") return std::unique_ptr<AudioSource>(new ToneSource());
  if (a == "mic") return upcast<MicrophoneSource, AudioSource>(MicrophoneSource::open(nullptr));
  if (starts_with(a, "mic:")) {
    const std::string name = a.substr(4);
    return upcast<MicrophoneSource, AudioSource>(MicrophoneSource::open(name.c_str()));
  }
  if (a == "auto") {
    if (!list_devices().microphones.empty()) {
      auto mic = MicrophoneSource::open(nullptr);
      if (mic) return std::unique_ptr<AudioSource>(std::move(*mic));
      spdlog::warn("{}; using the test tone instead", mic.error());
    } else {
      spdlog::info("no microphone found: sending the test tone (--audio to choose)");
    }
    return std::unique_ptr<AudioSource>(new ToneSource());
  }
  FileAudioSourceConfig config;
  config.path = a;
  config.loop = o.loop;
  return upcast<FileAudioSource, AudioSource>(FileAudioSource::open(config));
}

}  // namespace peercall
