#include "net/ice/ice_config.hpp"

#include <charconv>

namespace peercall {
namespace {

bool parse_port(std::string_view text, uint16_t& port) {
  unsigned value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value == 0 || value > 65535) {
    return false;
  }
  port = static_cast<uint16_t>(value);
  return true;
}

// "host", "host:port", "[v6]", "[v6]:port".
Result<std::pair<std::string, uint16_t>> split_host_port(std::string_view text,
                                                         uint16_t default_port) {
  std::string_view host = text;
  std::string_view port_text;
  if (!text.empty() && text.front() == '[') {
    size_t close = text.find(']');
    if (close == std::string_view::npos) return Error("missing ']' in '" + std::string(text) + "'");
    host = text.substr(1, close - 1);
    std::string_view rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return Error("junk after ']' in '" + std::string(text) + "'");
      port_text = rest.substr(1);
    }
  } else if (size_t colon = text.rfind(':'); colon != std::string_view::npos) {
    if (text.find(':') != colon) return Error("IPv6 address needs brackets: '" + std::string(text) + "'");
    host = text.substr(0, colon);
    port_text = text.substr(colon + 1);
  }
  if (host.empty()) return Error("no host in '" + std::string(text) + "'");
  uint16_t port = default_port;
  if (!port_text.empty() || (text.size() && text.back() == ':')) {
    if (!parse_port(port_text, port)) return Error("bad port in '" + std::string(text) + "'");
  }
  return std::make_pair(std::string(host), port);
}

}  // namespace

const char* to_string(IceState state) {
  switch (state) {
    case IceState::kNew: return "new";
    case IceState::kGathering: return "gathering";
    case IceState::kChecking: return "checking";
    case IceState::kConnected: return "connected";
    case IceState::kFailed: return "failed";
    case IceState::kClosed: return "closed";
  }
  return "?";
}

Result<TurnServer> parse_turn_server(std::string_view url) {
  const std::string whole(url);
  constexpr std::string_view kScheme = "turn:";
  if (url.substr(0, kScheme.size()) != kScheme) return Error("turn server: expected 'turn:' in '" + whole + "'");
  url.remove_prefix(kScheme.size());

  TurnServer server;
  if (size_t query = url.find('?'); query != std::string_view::npos) {
    std::string_view param = url.substr(query + 1);
    url = url.substr(0, query);
    if (param == "transport=tcp") {
      server.tcp = true;
    } else if (param != "transport=udp") {
      return Error("turn server: unknown parameter '" + std::string(param) + "'");
    }
  }
  size_t at = url.rfind('@');  // the password may hold '@'; the host does not
  if (at == std::string_view::npos) return Error("turn server: expected USER:PASS@HOST in '" + whole + "'");
  std::string_view credentials = url.substr(0, at);
  size_t colon = credentials.find(':');
  if (colon == std::string_view::npos || colon == 0) {
    return Error("turn server: expected USER:PASS before '@' in '" + whole + "'");
  }
  server.user = std::string(credentials.substr(0, colon));
  server.password = std::string(credentials.substr(colon + 1));
  auto host_port = split_host_port(url.substr(at + 1), 3478);
  if (!host_port) return Error("turn server: " + host_port.error());
  server.host = host_port->first;
  server.port = host_port->second;
  return server;
}

Result<std::pair<std::string, uint16_t>> parse_stun_server(std::string_view text) {
  if (text.substr(0, 5) == "stun:") text.remove_prefix(5);
  auto host_port = split_host_port(text, 3478);
  if (!host_port) return Error("stun server: " + host_port.error());
  return host_port;
}

}  // namespace peercall
