#include "identity/call_target.hpp"

#include <arpa/inet.h>  // inet_pton: address syntax only, no sockets

#include <algorithm>

#include "identity/invitation.hpp"

namespace peercall {
namespace {

constexpr std::string_view kPlainForm = "HOST[:PORT][/CODE]";
constexpr std::string_view kPeercallForm = "peercall://HOST[:PORT][/CODE]";
constexpr std::string_view kBrowserForm = "https://HOST[:PORT]/call#CODE";
constexpr uint16_t kHttpsPort = 443;
constexpr size_t kMaxHostLength = 253;  // DNS names

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
         c == '_';
}

std::string lowercase(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
  return out;
}

// What the user typed, for the message: control characters shown as '?', long
// input cut, so a pasted mess cannot garble the terminal.
std::string shown(std::string_view text) {
  constexpr size_t kMax = 120;
  std::string out(text.substr(0, kMax));
  for (char& c : out)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  if (text.size() > kMax) out += "...";
  return out;
}

// An IPv6 literal, optionally with a zone ("fe80::1%eth0").
bool is_ipv6_literal(std::string_view s) {
  size_t percent = s.find('%');
  if (percent != std::string_view::npos) {
    std::string_view zone = s.substr(percent + 1);
    if (zone.empty() || zone.size() > 64 || !std::all_of(zone.begin(), zone.end(), is_name_char)) return false;
    s = s.substr(0, percent);
  }
  if (s.empty() || s.size() > 45) return false;
  unsigned char address[16];
  return inet_pton(AF_INET6, std::string(s).c_str(), address) == 1;
}

Result<uint16_t> parse_port(std::string_view s) {
  if (s.empty()) return Error{"missing port after ':'"};
  if (s.size() > 5 || !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return Error{"port must be 1-65535"};
  unsigned value = 0;
  for (char c : s) value = value * 10 + unsigned(c - '0');
  if (value == 0 || value > 65535) return Error{"port must be 1-65535"};
  return uint16_t(value);
}

// "HOST", "HOST:PORT", "[V6]", "[V6]:PORT" or a bare "V6" into host and port.
Result<CallTarget> parse_authority(std::string_view text, uint16_t default_port) {
  CallTarget out;
  out.port = default_port;
  std::string_view rest;  // "" or ":PORT"
  if (text.empty()) return Error{"missing host"};
  if (text.front() == '[') {
    size_t close = text.find(']');
    if (close == std::string_view::npos) return Error{"missing ']' after the IPv6 address"};
    std::string_view inside = text.substr(1, close - 1);
    if (!is_ipv6_literal(inside)) return Error{"'" + shown(inside) + "' in brackets is not an IPv6 address"};
    out.host = std::string(inside);
    rest = text.substr(close + 1);
    if (!rest.empty() && rest.front() != ':') return Error{"expected ':PORT' after ']'"};
  } else if (std::count(text.begin(), text.end(), ':') >= 2) {
    if (!is_ipv6_literal(text)) return Error{"bad IPv6 address (write [ADDRESS]:PORT to add a port)"};
    out.host = std::string(text);
  } else {
    size_t colon = text.find(':');
    std::string_view host = text.substr(0, colon);
    if (host.empty()) return Error{"missing host before ':'"};
    if (host.size() > kMaxHostLength) return Error{"host name longer than 253 characters"};
    auto bad = std::find_if_not(host.begin(), host.end(), is_name_char);
    if (bad != host.end()) return Error{"bad character '" + shown(std::string_view(&*bad, 1)) + "' in host"};
    out.host = std::string(host);
    if (colon != std::string_view::npos) rest = text.substr(colon);
  }
  if (!rest.empty()) {
    Result<uint16_t> port = parse_port(rest.substr(1));
    if (!port) return Error{port.error()};
    out.port = *port;
  }
  return out;
}

Result<CallTarget> with_code(Result<CallTarget> target, std::string_view code) {
  if (!target || code.empty()) return target;
  Result<std::string> valid = validate_invitation_code(code);
  if (!valid) return Error{valid.error()};
  target->code = *valid;
  return target;
}

Result<CallTarget> parse_plain(std::string_view text, uint16_t default_port) {
  size_t slash = text.find('/');
  std::string_view code = slash == std::string_view::npos ? std::string_view{} : text.substr(slash + 1);
  if (code.find('/') != std::string_view::npos) return Error{"the code cannot contain '/'"};
  return with_code(parse_authority(text.substr(0, slash), default_port), code);
}

Result<CallTarget> parse_browser_link(std::string_view rest) {
  size_t hash = rest.find('#');
  std::string_view code = hash == std::string_view::npos ? std::string_view{} : rest.substr(hash + 1);
  std::string_view before_code = rest.substr(0, hash);
  if (before_code.find('?') != std::string_view::npos) return Error{"unexpected '?' in the link"};
  size_t slash = before_code.find('/');
  std::string_view path = slash == std::string_view::npos ? std::string_view{} : before_code.substr(slash);
  if (path != "/call" && path != "/call/") return Error{"the link's path must be /call"};
  std::string authority(before_code.substr(0, slash));
  // URLs write an IPv6 zone's '%' as "%25" (RFC 6874).
  if (size_t zone = authority.find("%25"); zone != std::string::npos && !authority.empty() && authority[0] == '[')
    authority.erase(zone + 1, 2);
  return with_code(parse_authority(authority, kHttpsPort), code);
}

}  // namespace

Result<CallTarget> parse_call_target(std::string_view text, uint16_t default_port) {
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  std::string_view form = kPlainForm;
  Result<CallTarget> result = Error{"empty"};
  size_t scheme_end = text.find("://");
  if (text.empty()) {
    // keep "empty"
  } else if (scheme_end == std::string_view::npos) {
    result = parse_plain(text, default_port);
  } else {
    std::string scheme = lowercase(text.substr(0, scheme_end));
    std::string_view rest = text.substr(scheme_end + 3);
    if (scheme == "peercall") {
      form = kPeercallForm;
      result = parse_plain(rest, default_port);
    } else if (scheme == "https") {
      form = kBrowserForm;
      result = parse_browser_link(rest);
    } else {
      result = Error{"unknown scheme '" + shown(scheme) + "://' (use peercall:// or https://)"};
    }
  }
  if (!result) return Error{"'" + shown(text) + "' is not " + std::string(form) + ": " + result.error()};
  return result;
}

std::string format_call_target(std::string_view host, uint16_t port, std::string_view code,
                               uint16_t default_port) {
  std::string out;
  if (host.find(':') != std::string_view::npos) {
    out = "[" + std::string(host) + "]";
  } else {
    out = std::string(host);
  }
  if (port != default_port) out += ":" + std::to_string(port);
  if (!code.empty()) out += "/" + std::string(code);
  return out;
}

std::string format_browser_link(std::string_view host, uint16_t port, std::string_view code) {
  std::string out = "https://";
  if (host.find(':') != std::string_view::npos) {
    std::string literal(host);
    if (size_t zone = literal.find('%'); zone != std::string::npos) literal.insert(zone + 1, "25");
    out += "[" + literal + "]";
  } else {
    out += std::string(host);
  }
  if (port != kHttpsPort) out += ":" + std::to_string(port);
  out += "/call";
  if (!code.empty()) out += "#" + std::string(code);
  return out;
}

}  // namespace peercall
