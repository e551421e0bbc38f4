#include "identity/fingerprint.hpp"

namespace peercall {
namespace {

bool is_blank(char c) { return c == ' ' || c == '\t'; }

std::string_view trim_blanks(std::string_view s) {
  while (!s.empty() && is_blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_blank(s.back())) s.remove_suffix(1);
  return s;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = char(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = char(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

constexpr char kHexDigits[] = "0123456789ABCDEF";

}  // namespace

std::optional<std::string> normalize_fingerprint(std::string_view text) {
  text = trim_blanks(text);
  size_t gap = 0;
  while (gap < text.size() && !is_blank(text[gap])) ++gap;
  if (!equals_ignoring_case(text.substr(0, gap), "sha-256")) return std::nullopt;
  std::string_view hex = trim_blanks(text.substr(gap));
  // 32 pairs and 31 colons: "AB:CD:...:EF".
  if (hex.size() != kFingerprintDigestSize * 3 - 1) return std::nullopt;
  std::array<uint8_t, kFingerprintDigestSize> digest{};
  for (size_t i = 0; i < kFingerprintDigestSize; ++i) {
    int high = hex_value(hex[i * 3]);
    int low = hex_value(hex[i * 3 + 1]);
    if (high < 0 || low < 0) return std::nullopt;
    if (i + 1 < kFingerprintDigestSize && hex[i * 3 + 2] != ':') return std::nullopt;
    digest[i] = uint8_t(high << 4 | low);
  }
  return format_fingerprint(digest);
}

std::string format_fingerprint(const std::array<uint8_t, kFingerprintDigestSize>& digest) {
  std::string out = "sha-256 ";
  out.reserve(8 + kFingerprintDigestSize * 3 - 1);
  for (size_t i = 0; i < digest.size(); ++i) {
    if (i > 0) out += ':';
    out += kHexDigits[digest[i] >> 4];
    out += kHexDigits[digest[i] & 0x0f];
  }
  return out;
}

}  // namespace peercall
