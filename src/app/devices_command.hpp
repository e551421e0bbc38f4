#pragma once
namespace peercall {
// `peercall devices`: lists cameras, microphones and speakers.
int run_devices_command();
}  // namespace peercall
