#pragma once
// "HOST[:PORT]" as typed on a command line, IPv6 literals included.
#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace peercall {

struct HostPort {
  std::string host;  // name or address literal, without brackets
  uint16_t port = 0;
};

// Accepts "host", "host:port", "1.2.3.4:5000", "[::1]:5000", "[::1]" and a bare
// "::1" (more than one colon: an IPv6 literal, so no port). Ports are 1-65535.
Result<HostPort> parse_host_port(std::string_view text, uint16_t default_port);

// The inverse, for messages and Host headers: "[::1]:5000", "example.org:5000".
std::string format_host_port(std::string_view host, uint16_t port);

}  // namespace peercall
