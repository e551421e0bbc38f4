#include "app/banner.hpp"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>

#include <algorithm>
#include <cstdint>

#include "app/media_options.hpp"

namespace peercall {

std::vector<std::string> local_addresses() {
  std::vector<std::string> v4, v6;
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return {};
  for (ifaddrs* it = list; it; it = it->ifa_next) {
    if (!it->ifa_addr || !(it->ifa_flags & IFF_UP) || (it->ifa_flags & IFF_LOOPBACK)) continue;
    char text[INET6_ADDRSTRLEN] = {};
    if (it->ifa_addr->sa_family == AF_INET) {
      inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(it->ifa_addr)->sin_addr, text, sizeof text);
      v4.emplace_back(text);
    } else if (it->ifa_addr->sa_family == AF_INET6) {
      auto* a6 = reinterpret_cast<sockaddr_in6*>(it->ifa_addr);
      if (IN6_IS_ADDR_LINKLOCAL(&a6->sin6_addr)) continue;  // needs a scope: not typeable
      inet_ntop(AF_INET6, &a6->sin6_addr, text, sizeof text);
      v6.push_back("[" + std::string(text) + "]");
    }
  }
  freeifaddrs(list);
  v4.insert(v4.end(), v6.begin(), v6.end());
  v4.erase(std::unique(v4.begin(), v4.end()), v4.end());
  return v4;
}

std::string listening_banner(const std::string& what, const std::string& peer_command,
                             uint16_t port) {
  std::string out = "peercall " PEERCALL_VERSION " - " + what + " on port " +
                    std::to_string(port) + " (TCP signalling, UDP media)\n";
  auto addresses = local_addresses();
  if (addresses.empty()) addresses.push_back("127.0.0.1");
  const std::string suffix = port == kDefaultPort ? "" : ":" + std::to_string(port);
  out += "  on the other machine, type:\n";
  for (const auto& a : addresses) out += "    " + peer_command + " " + a + suffix + "\n";
  out += "  (on this machine: " + peer_command + " 127.0.0.1" + suffix + ")\n";
  out += "  hang up: Enter, q, Esc, Ctrl-C or close the window\n";
  return out;
}

}  // namespace peercall
