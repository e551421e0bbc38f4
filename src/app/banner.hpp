#pragma once
// What a user sees first: name, version, where we listen and the exact
// command the other side should type.
#include <string>
#include <vector>

namespace peercall {

// Non-loopback addresses of this machine's interfaces that are up, IPv4 first.
std::vector<std::string> local_addresses();

// e.g. "peercall call 192.168.1.20:5004" lines, one per address.
std::string listening_banner(const std::string& what, const std::string& peer_command,
                             uint16_t port);

}  // namespace peercall
