#pragma once
// `peercall devices` as text: cameras, microphones and speakers, each list with
// how to choose from it and the default marked. Pure, so it is tested on
// made-up lists.
#include <string>

#include "media/device/device_list.hpp"

namespace peercall {

std::string format_device_list(const DeviceList& devices);

}  // namespace peercall
