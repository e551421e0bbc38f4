#pragma once
// What can be captured from and played to, for `--list-devices` and for
// choosing by name. Works (empty lists) with no devices and no audio server.
#include <filesystem>
#include <string>
#include <vector>

namespace peercall {

struct DeviceList {
  std::vector<std::string> cameras;      // "/dev/video0 (Integrated Camera)": path, then the name
  std::vector<std::string> microphones;  // SDL capture device names (pass to MicrophoneSource)
  std::vector<std::string> speakers;     // SDL playback device names (pass to SpeakerSink)
  // What "--audio mic" and "--speaker default" use, as the audio server says
  // (SDL_GetDefaultAudioInfo); empty if it cannot tell. May be missing from the
  // lists above (PulseAudio's default source can be a monitor, which SDL hides).
  std::string default_microphone;
  std::string default_speaker;
};

DeviceList list_devices();

// V4L2 nodes "video<N>" in `dev_dir`, numerically ordered, each followed by the
// friendly name from `sys_dir`/video<N>/name when there is one. Parameters
// exist so tests can use a fake tree.
std::vector<std::string> list_cameras(const std::filesystem::path& dev_dir = "/dev",
                                      const std::filesystem::path& sys_dir =
                                          "/sys/class/video4linux");

}  // namespace peercall
