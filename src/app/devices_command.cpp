#include "app/devices_command.hpp"

#include <cstdio>
#include <string>
#include <vector>

#include "media/device/device_list.hpp"

namespace peercall {

int run_devices_command() {
  const DeviceList devices = list_devices();
  auto print = [](const char* title, const std::vector<std::string>& names, const char* use) {
    std::printf("%s:\n", title);
    if (names.empty()) std::printf("  (none found)\n");
    for (const auto& n : names) std::printf("  %s\n", n.c_str());
    std::printf("  choose with %s\n\n", use);
  };
  print("Cameras", devices.cameras, "--video camera:/dev/videoN");
  print("Microphones", devices.microphones, "--audio mic:NAME");
  print("Speakers", devices.speakers, "--speaker NAME");
  std::printf("Without devices, peercall sends a test pattern (--video test) and tone (--audio tone).\n");
  return 0;
}

}  // namespace peercall
