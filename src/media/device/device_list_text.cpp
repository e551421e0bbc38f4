#include "media/device/device_list_text.hpp"

#include <algorithm>
#include <vector>

namespace peercall {

namespace {

// One list; `default_name` nullptr: the list has no default (cameras), "": the
// driver does not say which it is, which is said rather than left unmarked.
void section(std::string& out, const char* title, const std::vector<std::string>& names,
             const std::string* default_name, const char* use, const char* default_use) {
  out += title;
  out += ":\n";
  if (names.empty()) out += "  (none found)\n";
  for (const auto& n : names) {
    const bool is_default = default_name && *default_name == n;
    out += (is_default ? "  * " : "    ") + n + (is_default ? "  (default)" : "") + "\n";
  }
  if (default_name) {
    const bool listed = std::find(names.begin(), names.end(), *default_name) != names.end();
    if (default_name->empty() && !names.empty()) {
      out += "  default: the system's (the audio driver does not say which)\n";
    } else if (!default_name->empty() && !listed) {
      out += "  default: " + *default_name + " (not in the list)\n";
    }
  }
  out += "  choose with ";
  out += use;
  if (default_use) {
    out += "; the default with ";
    out += default_use;
  }
  out += "\n\n";
}

}  // namespace

std::string format_device_list(const DeviceList& devices) {
  std::string out;
  section(out, "Cameras", devices.cameras, nullptr, "--video camera:/dev/videoN", nullptr);
  section(out, "Microphones", devices.microphones, &devices.default_microphone, "--audio mic:NAME",
          "--audio mic");
  section(out, "Speakers", devices.speakers, &devices.default_speaker, "--speaker NAME",
          "--speaker default");
  out += "Without devices, peercall sends a test pattern (--video test) and tone (--audio tone).\n";
  out += "A microphone or speaker unplugged during a call is used again when it is back.\n";
  return out;
}

}  // namespace peercall
