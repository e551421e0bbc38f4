#pragma once
// ICE candidate attribute lines (RFC 8839 section 5.1) checked before libnice
// sees them: libnice's own parser dereferences missing fields, so a hostile
// offer must never reach it unvalidated. Pure text in, struct out.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace peercall {

struct CandidateLine {
  std::string foundation;
  uint32_t component = 0;
  bool tcp = false;            // transport "TCP" (else "UDP")
  std::string tcptype;         // "active" / "passive" / "so" for TCP
  uint32_t priority = 0;
  std::string address;         // an IPv4 or IPv6 literal (no mDNS ".local" names)
  uint16_t port = 0;
  std::string type;            // "host", "srflx", "prflx", "relay"
  std::string related_address; // raddr, "" if absent
  uint16_t related_port = 0;
};

// Accepts "candidate:..." with or without a leading "a=" and a trailing "\r".
// Unknown extension attributes (generation, network-id, ufrag, ...) are skipped.
Result<CandidateLine> parse_candidate_line(std::string_view line);

// "candidate:1 1 UDP 2015363327 127.0.0.1 40000 typ host" (no "a=").
std::string format_candidate_line(const CandidateLine& candidate);

// "127.0.0.1:40000 (host)", "[::1]:40000 (relay)": one side of a selected pair.
std::string describe_endpoint(std::string_view address, uint16_t port, std::string_view type);

}  // namespace peercall
