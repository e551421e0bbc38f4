#include "app/banner.hpp"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>

#include <algorithm>
#include <cstdint>

#include "app/media_options.hpp"
#include "identity/call_target.hpp"

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
      v6.emplace_back(text);
    }
  }
  freeifaddrs(list);
  v4.insert(v4.end(), v6.begin(), v6.end());
  v4.erase(std::unique(v4.begin(), v4.end()), v4.end());
  return v4;
}

std::string listening_banner(const BannerInfo& info) {
  const std::string peer_command = info.stream ? "peercall watch" : "peercall call";
  std::string out = "peercall " PEERCALL_VERSION " - " +
                    std::string(info.stream ? "streaming" : "waiting for a call") + " on port " +
                    std::to_string(info.port) + " (HTTPS signalling; media encrypted, DTLS-SRTP)\n";
  // Only addresses that can work: a bound address is the only one.
  std::vector<std::string> addresses;
  const bool any = info.bind.empty() || info.bind == "::" || info.bind == "0.0.0.0";
  if (any) {
    addresses = local_addresses();
    if (info.bind == "0.0.0.0")
      std::erase_if(addresses, [](const std::string& a) { return a.find(':') != std::string::npos; });
  } else if (info.bind != "127.0.0.1" && info.bind != "::1") {
    addresses.push_back(info.bind);
  }
  if (!addresses.empty()) {
    out += "  on the other machine, type:\n";
    for (const auto& a : addresses)
      out += "    " + peer_command + " " + format_call_target(a, info.port, info.code, kDefaultPort) + "\n";
    out += "  or open in a browser (accept the certificate once):\n";
    for (const auto& a : addresses) out += "    " + format_browser_link(a, info.port, info.code) + "\n";
  }
  const std::string here = info.bind == "::1" ? "::1" : "127.0.0.1";
  if (any || info.bind == "127.0.0.1" || info.bind == "::1")
    out += "  on this machine: " + peer_command + " " +
           format_call_target(here, info.port, info.code, kDefaultPort) + "\n";
  // The WHIP (WHEP for a stream) endpoint is the page's origin with its own path.
  std::string endpoint = format_browser_link(addresses.empty() ? here : addresses.front(), info.port, "");
  endpoint = endpoint.substr(0, endpoint.rfind("/call")) + (info.stream ? "/whep" : "/whip");
  out += "  WHIP: " + endpoint + " (Authorization: Bearer " + info.code + ")\n";
  out += "  your fingerprint: " + info.fingerprint + "\n";
  out += "  hang up: Enter, q, Esc, Ctrl-C or close the window\n";
  return out;
}

}  // namespace peercall
