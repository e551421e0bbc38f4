#include "app/devices_command.hpp"

#include <cstdio>

#include "media/device/device_list.hpp"
#include "media/device/device_list_text.hpp"

namespace peercall {

int run_devices_command() {
  std::fputs(format_device_list(list_devices()).c_str(), stdout);
  return 0;
}

}  // namespace peercall
