#pragma once
// Which addresses and namespace names the tool accepts. Traffic must stay in
// the benchmarking range 198.18.0.0/15 (RFC 2544), inside the namespaces the
// tool made, so any other address is refused.
#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace peercall::netsim {

struct Ipv4Prefix {
  uint32_t address = 0;  // host order
  int length = 0;
  std::string address_text() const;
  std::string text() const;  // "198.18.0.1/24"
};

Result<Ipv4Prefix> parse_prefix(std::string_view text);

struct LinkAddresses {
  Ipv4Prefix a;
  Ipv4Prefix b;
};

// Both in 198.18.0.0/15, in the same subnet, distinct, neither the subnet's
// own address nor its broadcast.
Result<LinkAddresses> check_link_addresses(std::string_view a, std::string_view b);

// 1-32 of [A-Za-z0-9_.-], not starting with '.' (it becomes a file in /run/netns).
Result<Done> check_namespace_name(std::string_view name);

}  // namespace peercall::netsim
