#pragma once
// What the user types after `peercall call` / `peercall watch`: where the other
// side listens and, optionally, the invitation code it expects. The forms a
// person may type or paste (all give the same CallTarget):
//
//   HOST                      example.org, 192.168.1.20, ::1 (a bare IPv6
//   HOST:PORT                   literal takes no port: write [::1]:5004)
//   HOST/CODE  HOST:PORT/CODE
//   [V6]  [V6]:PORT  [V6]/CODE  [V6]:PORT/CODE     (fe80::1%eth0 zones too)
//   peercall://HOST[:PORT][/CODE]
//   https://HOST[:PORT]/call[#CODE]   the browser link the listener prints
//
// A missing port is the default port, except in an https:// link, where it is
// 443 as in the browser. CODE follows validate_invitation_code's rules.
#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace peercall {

struct CallTarget {
  std::string host;  // name or address literal, without brackets
  uint16_t port = 0;
  std::string code;  // empty: none given
};

// Parses one of the forms above (surrounding blanks ignored). Errors are one
// line naming the input and the form, e.g.
// "'foo:70000' is not HOST[:PORT][/CODE]: port must be 1-65535".
Result<CallTarget> parse_call_target(std::string_view text, uint16_t default_port);

// The short form to print for the other side to type: "HOST:PORT/CODE", the
// port left out when it is the default, an IPv6 literal in brackets
// ("[::1]:6000/CODE"), "/CODE" left out when the code is empty.
std::string format_call_target(std::string_view host, uint16_t port, std::string_view code,
                               uint16_t default_port);

// The browser link: "https://HOST:PORT/call#CODE" (":PORT" left out for 443,
// "#CODE" when empty; an IPv6 zone is written "%25zone" as URLs need).
std::string format_browser_link(std::string_view host, uint16_t port, std::string_view code);

}  // namespace peercall
