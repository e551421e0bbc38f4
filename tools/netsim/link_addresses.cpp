#include "link_addresses.hpp"

#include <charconv>

namespace peercall::netsim {
namespace {

constexpr uint32_t kRange = 0xC6120000;  // 198.18.0.0
constexpr uint32_t kRangeMask = 0xFFFE0000;  // /15

uint32_t mask_of(int length) { return length == 0 ? 0 : ~uint32_t{0} << (32 - length); }

Result<uint32_t> parse_decimal(std::string_view text, uint32_t max) {
  uint32_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty() || text.size() > 3 ||
      v > max)
    return Error("bad number \"" + std::string(text) + "\"");
  return v;
}

}  // namespace

std::string Ipv4Prefix::address_text() const {
  return std::to_string(address >> 24) + "." + std::to_string(address >> 16 & 255) + "." +
         std::to_string(address >> 8 & 255) + "." + std::to_string(address & 255);
}

std::string Ipv4Prefix::text() const { return address_text() + "/" + std::to_string(length); }

Result<Ipv4Prefix> parse_prefix(std::string_view text) {
  std::string what = "address \"" + std::string(text) + "\"";
  size_t slash = text.find('/');
  if (slash == std::string_view::npos) return Error(what + ": wants ADDRESS/PREFIX, e.g. 198.18.0.1/24");
  auto length = parse_decimal(text.substr(slash + 1), 32);
  if (!length) return Error(what + ": " + length.error());
  std::string_view rest = text.substr(0, slash);
  uint32_t address = 0;
  for (int i = 0; i < 4; ++i) {
    size_t dot = rest.find('.');
    if ((dot == std::string_view::npos) != (i == 3)) return Error(what + ": not a dotted quad");
    auto octet = parse_decimal(rest.substr(0, dot), 255);
    if (!octet) return Error(what + ": " + octet.error());
    address = address << 8 | *octet;
    if (dot != std::string_view::npos) rest.remove_prefix(dot + 1);
  }
  return Ipv4Prefix{address, static_cast<int>(*length)};
}

Result<LinkAddresses> check_link_addresses(std::string_view a_text, std::string_view b_text) {
  auto a = parse_prefix(a_text);
  if (!a) return Error(a.error());
  auto b = parse_prefix(b_text);
  if (!b) return Error(b.error());
  for (const Ipv4Prefix* p : {&*a, &*b}) {
    if ((p->address & kRangeMask) != kRange || p->length < 15)
      return Error(p->text() + " is outside 198.18.0.0/15: the tool only makes links there");
    if (p->length > 30) return Error(p->text() + ": the prefix must be /15 to /30");
  }
  if (a->length != b->length) return Error(a->text() + " and " + b->text() + ": different prefixes");
  uint32_t mask = mask_of(a->length);
  if ((a->address & mask) != (b->address & mask))
    return Error(a->text() + " and " + b->text() + " are not in the same subnet");
  if (a->address == b->address) return Error("both sides have the address " + a->address_text());
  for (const Ipv4Prefix* p : {&*a, &*b}) {
    uint32_t host = p->address & ~mask;
    if (host == 0 || host == ~mask)
      return Error(p->text() + " is the subnet's own or broadcast address");
  }
  return LinkAddresses{*a, *b};
}

Result<Done> check_namespace_name(std::string_view name) {
  if (name.empty() || name.size() > 32) return Error("namespace name must be 1-32 characters");
  if (name.front() == '.') return Error("namespace name must not start with '.'");
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-' || c == '.';
    if (!ok) return Error("namespace name \"" + std::string(name) + "\": only A-Z a-z 0-9 _ - .");
  }
  return Done{};
}

}  // namespace peercall::netsim
