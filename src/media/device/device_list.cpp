#include "media/device/device_list.hpp"

#include <SDL.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <system_error>
#include <utility>

#include "media/device/sdl_subsystem.hpp"

namespace peercall {

namespace {

// N for "video<N>", -1 for anything else (video-foo, vbi0, ...).
int video_node_number(const std::string& name) {
  constexpr std::string_view kPrefix = "video";
  if (name.size() <= kPrefix.size() || name.compare(0, kPrefix.size(), kPrefix) != 0) return -1;
  if (name.size() - kPrefix.size() > 6) return -1;
  int n = 0;
  for (size_t i = kPrefix.size(); i < name.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(name[i]))) return -1;
    n = n * 10 + (name[i] - '0');
  }
  return n;
}

std::string first_line(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::string line;
  std::getline(in, line);
  while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back()))) line.pop_back();
  return line;
}

std::vector<std::string> audio_device_names(bool capture) {
  std::vector<std::string> names;
  const int n = SDL_GetNumAudioDevices(capture ? 1 : 0);  // -1: cannot enumerate
  for (int i = 0; i < n; ++i) {
    if (const char* name = SDL_GetAudioDeviceName(i, capture ? 1 : 0)) names.emplace_back(name);
  }
  return names;
}

// The server's default device, or "" when the driver cannot tell (dummy,
// disk, and drivers without a notion of a default).
std::string default_audio_device(bool capture) {
  char* name = nullptr;
  SDL_AudioSpec spec{};
  if (SDL_GetDefaultAudioInfo(&name, &spec, capture ? 1 : 0) != 0 || !name) return {};
  std::string result(name);
  SDL_free(name);
  return result;
}

}  // namespace

std::vector<std::string> list_cameras(const std::filesystem::path& dev_dir,
                                      const std::filesystem::path& sys_dir) {
  std::vector<std::pair<int, std::string>> found;
  std::error_code ec;
  for (std::filesystem::directory_iterator it(dev_dir, ec), end; !ec && it != end;
       it.increment(ec)) {
    const std::string node = it->path().filename().string();
    const int number = video_node_number(node);
    if (number < 0) continue;
    std::string entry = (dev_dir / node).string();
    const std::string name = first_line(sys_dir / node / "name");
    if (!name.empty()) entry += " (" + name + ")";
    found.emplace_back(number, std::move(entry));
  }
  std::sort(found.begin(), found.end());
  std::vector<std::string> cameras;
  for (auto& [number, entry] : found) cameras.push_back(std::move(entry));
  return cameras;
}

DeviceList list_devices() {
  DeviceList list;
  list.cameras = list_cameras();
  SdlSubsystem audio(SDL_INIT_AUDIO);
  if (audio.ok()) {
    list.microphones = audio_device_names(true);
    list.speakers = audio_device_names(false);
    list.default_microphone = default_audio_device(true);
    list.default_speaker = default_audio_device(false);
  }
  return list;
}

}  // namespace peercall
