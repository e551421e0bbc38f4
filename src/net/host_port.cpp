#include "net/host_port.hpp"

#include <algorithm>
#include "core/asio.hpp"

namespace peercall {
namespace {

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
         c == '_';
}

bool is_ipv6_literal(std::string_view s) {
  boost::system::error_code ec;
  asio::ip::make_address_v6(std::string(s), ec);
  return !ec;
}

Result<uint16_t> parse_port(std::string_view s) {
  if (s.empty()) return Error{"host: missing port after ':'"};
  if (s.size() > 5 || !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return Error{"host: port must be a number from 1 to 65535"};
  unsigned value = 0;
  for (char c : s) value = value * 10 + unsigned(c - '0');
  if (value == 0 || value > 65535) return Error{"host: port must be a number from 1 to 65535"};
  return uint16_t(value);
}

}  // namespace

Result<HostPort> parse_host_port(std::string_view text, uint16_t default_port) {
  if (text.empty()) return Error{"host: empty address"};
  HostPort out{.host = {}, .port = default_port};
  std::string_view rest;  // what follows the host: "" or ":port"
  if (text.front() == '[') {
    size_t close = text.find(']');
    if (close == std::string_view::npos) return Error{"host: missing ']' after IPv6 address"};
    std::string_view inside = text.substr(1, close - 1);
    if (!is_ipv6_literal(inside)) return Error{"host: bad IPv6 address in brackets"};
    out.host = std::string(inside);
    rest = text.substr(close + 1);
  } else if (std::count(text.begin(), text.end(), ':') >= 2) {
    if (!is_ipv6_literal(text)) return Error{"host: bad IPv6 address (write [addr]:port to add a port)"};
    out.host = std::string(text);
  } else {
    size_t colon = text.find(':');
    std::string_view host = text.substr(0, colon);
    if (host.empty()) return Error{"host: empty host name"};
    if (!std::all_of(host.begin(), host.end(), is_name_char)) return Error{"host: bad character in host name"};
    out.host = std::string(host);
    if (colon != std::string_view::npos) rest = text.substr(colon);
  }
  if (!rest.empty()) {
    if (rest.front() != ':') return Error{"host: unexpected text after address"};
    auto port = parse_port(rest.substr(1));
    if (!port) return Error{port.error()};
    out.port = *port;
  }
  return out;
}

std::string format_host_port(std::string_view host, uint16_t port) {
  bool v6 = host.find(':') != std::string_view::npos;
  std::string out = v6 ? "[" + std::string(host) + "]" : std::string(host);
  return out + ":" + std::to_string(port);
}

}  // namespace peercall
