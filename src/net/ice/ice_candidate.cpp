#include "net/ice/ice_candidate.hpp"

#include <arpa/inet.h>

#include <charconv>
#include <vector>

namespace peercall {
namespace {

std::vector<std::string_view> split_spaces(std::string_view text) {
  std::vector<std::string_view> tokens;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && text[i] == ' ') ++i;
    size_t start = i;
    while (i < text.size() && text[i] != ' ') ++i;
    if (i > start) tokens.push_back(text.substr(start, i - start));
    if (tokens.size() > 64) break;  // no honest line has this many; stop early
  }
  return tokens;
}

template <class T>
bool parse_number(std::string_view text, T& out, uint64_t max) {
  if (text.empty() || text.size() > 10) return false;
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value > max) return false;
  out = static_cast<T>(value);
  return true;
}

// ice-char = ALPHA / DIGIT / "+" / "/" (RFC 8839)
bool is_foundation(std::string_view text) {
  if (text.empty() || text.size() > 32) return false;
  for (char c : text) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '+' || c == '/';
    if (!ok) return false;
  }
  return true;
}

bool is_ip_literal(std::string_view text) {
  if (text.empty() || text.size() >= INET6_ADDRSTRLEN) return false;
  std::string copy(text);
  unsigned char buf[sizeof(struct in6_addr)];
  return inet_pton(AF_INET, copy.c_str(), buf) == 1 || inet_pton(AF_INET6, copy.c_str(), buf) == 1;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'a' && x <= 'z') x = char(x - 32);
    if (y >= 'a' && y <= 'z') y = char(y - 32);
    if (x != y) return false;
  }
  return true;
}

}  // namespace

Result<CandidateLine> parse_candidate_line(std::string_view line) {
  if (line.substr(0, 2) == "a=") line.remove_prefix(2);
  while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.remove_suffix(1);
  constexpr std::string_view kPrefix = "candidate:";
  if (line.substr(0, kPrefix.size()) != kPrefix) return Error("candidate: missing 'candidate:'");
  line.remove_prefix(kPrefix.size());

  auto tokens = split_spaces(line);
  if (tokens.size() < 8) return Error("candidate: too few fields");
  CandidateLine c;
  if (!is_foundation(tokens[0])) return Error("candidate: bad foundation");
  c.foundation = std::string(tokens[0]);
  if (!parse_number(tokens[1], c.component, 256) || c.component == 0) {
    return Error("candidate: bad component id");
  }
  if (iequals(tokens[2], "UDP")) {
    c.tcp = false;
  } else if (iequals(tokens[2], "TCP")) {
    c.tcp = true;
  } else {
    return Error("candidate: unknown transport '" + std::string(tokens[2].substr(0, 16)) + "'");
  }
  if (!parse_number(tokens[3], c.priority, 0xFFFFFFFFu) || c.priority == 0) {
    return Error("candidate: bad priority");
  }
  if (!is_ip_literal(tokens[4])) return Error("candidate: address is not an IP literal");
  c.address = std::string(tokens[4]);
  if (!parse_number(tokens[5], c.port, 65535)) return Error("candidate: bad port");
  if (tokens[6] != "typ") return Error("candidate: expected 'typ'");
  if (tokens[7] != "host" && tokens[7] != "srflx" && tokens[7] != "prflx" && tokens[7] != "relay") {
    return Error("candidate: unknown type");
  }
  c.type = std::string(tokens[7]);

  // The rest are name/value pairs; only the ones ICE needs are kept.
  for (size_t i = 8; i < tokens.size(); i += 2) {
    if (i + 1 >= tokens.size()) return Error("candidate: attribute without value");
    std::string_view name = tokens[i], value = tokens[i + 1];
    if (name == "raddr") {
      if (!is_ip_literal(value)) return Error("candidate: raddr is not an IP literal");
      c.related_address = std::string(value);
    } else if (name == "rport") {
      if (!parse_number(value, c.related_port, 65535)) return Error("candidate: bad rport");
    } else if (name == "tcptype") {
      if (value != "active" && value != "passive" && value != "so") {
        return Error("candidate: bad tcptype");
      }
      c.tcptype = std::string(value);
    }
  }
  if (c.tcp && c.tcptype.empty()) return Error("candidate: TCP without tcptype");
  if (c.type != "host" && c.port == 0) return Error("candidate: port 0");
  if (!c.tcp && c.port == 0) return Error("candidate: port 0");
  return c;
}

std::string format_candidate_line(const CandidateLine& c) {
  std::string line = "candidate:" + c.foundation + " " + std::to_string(c.component) + " " +
                     (c.tcp ? "TCP" : "UDP") + " " + std::to_string(c.priority) + " " + c.address +
                     " " + std::to_string(c.port) + " typ " + c.type;
  if (!c.related_address.empty()) {
    line += " raddr " + c.related_address + " rport " + std::to_string(c.related_port);
  }
  if (c.tcp) line += " tcptype " + c.tcptype;
  return line;
}

std::string describe_endpoint(std::string_view address, uint16_t port, std::string_view type) {
  std::string text;
  if (address.find(':') != std::string_view::npos) {
    text = "[" + std::string(address) + "]";
  } else {
    text = std::string(address);
  }
  return text + ":" + std::to_string(port) + " (" + std::string(type) + ")";
}

}  // namespace peercall
