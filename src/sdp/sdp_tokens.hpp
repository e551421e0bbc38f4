#pragma once
// Small text helpers shared by the SDP negotiation files: case-insensitive
// compare, trimming, splitting, fmtp parameters. Views into the caller's string.
#include <algorithm>
#include <cctype>
#include <optional>
#include <string_view>
#include <vector>

namespace peercall::sdp_tokens {

inline bool iequals(std::string_view a, std::string_view b) {
  return std::ranges::equal(a, b, [](unsigned char x, unsigned char y) { return std::tolower(x) == std::tolower(y); });
}

inline std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Separator-delimited pieces of `s`, trimmed, empty pieces skipped.
inline std::vector<std::string_view> pieces(std::string_view s, char separator) {
  std::vector<std::string_view> out;
  // find() rather than std::views::split: clang 14 (the fuzz build) cannot
  // compile libstdc++ 12's split view.
  while (true) {
    const size_t end = s.find(separator);
    std::string_view piece = trim(s.substr(0, end));
    if (!piece.empty()) out.push_back(piece);
    if (end == std::string_view::npos) break;
    s.remove_prefix(end + 1);
  }
  return out;
}

// Value of `key` in an fmtp line such as "a=1; packetization-mode=1".
inline std::optional<std::string_view> fmtp_parameter(std::string_view fmtp, std::string_view key) {
  for (std::string_view p : pieces(fmtp, ';')) {
    size_t eq = p.find('=');
    if (eq != std::string_view::npos && iequals(trim(p.substr(0, eq)), key)) return trim(p.substr(eq + 1));
  }
  return std::nullopt;
}

}  // namespace peercall::sdp_tokens
