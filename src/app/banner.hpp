#pragma once
// What a user sees first: name, version, where we listen, the exact command
// (with the invitation code) the other side types, the browser link, the WHIP
// endpoint with its token, and our own fingerprint.
#include <cstdint>
#include <string>
#include <vector>

namespace peercall {

// Non-loopback addresses of this machine's interfaces that are up, IPv4 first.
std::vector<std::string> local_addresses();

struct BannerInfo {
  bool stream = false;  // "peercall watch" rather than "peercall call"
  uint16_t port = 0;
  std::string bind;     // "::" / "0.0.0.0": every address; else only that one
  std::string code;
  std::string fingerprint;
};

std::string listening_banner(const BannerInfo& info);

}  // namespace peercall
