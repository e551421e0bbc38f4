#include "identity/short_auth_string.hpp"

#include <openssl/sha.h>

#include <cstdint>
#include <cstdio>

namespace peercall {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

char to_lower(char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; }
char to_upper(char c) { return c >= 'a' && c <= 'z' ? char(c - 'a' + 'A') : c; }

// Exactly what the JavaScript `norm` does (see the header), so both agree even
// on odd input.
std::string normalise(std::string_view fp) {
  while (!fp.empty() && is_space(fp.front())) fp.remove_prefix(1);
  size_t algorithm_end = 0;
  while (algorithm_end < fp.size() && !is_space(fp[algorithm_end])) ++algorithm_end;
  std::string out;
  out.reserve(fp.size());
  if (algorithm_end == fp.size()) {  // a single word
    for (char c : fp) out += to_upper(c);
    return out;
  }
  std::string_view rest = fp.substr(algorithm_end);
  while (!rest.empty() && is_space(rest.front())) rest.remove_prefix(1);
  while (!rest.empty() && is_space(rest.back())) rest.remove_suffix(1);
  for (char c : fp.substr(0, algorithm_end)) out += to_lower(c);
  out += ' ';
  for (char c : rest) out += to_upper(c);
  return out;
}

}  // namespace

std::string short_auth_string(std::string_view fingerprint_a, std::string_view fingerprint_b) {
  std::string a = normalise(fingerprint_a);
  std::string b = normalise(fingerprint_b);
  // std::string compares as unsigned bytes (char_traits<char>::compare uses memcmp
  // semantics), the same order as JavaScript's < on ASCII text.
  const std::string& lo = a < b ? a : b;
  const std::string& hi = a < b ? b : a;
  std::string message = "peercall-sas\n" + lo + "\n" + hi;
  unsigned char h[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(message.data()), message.size(), h);
  uint32_t n = (uint32_t(h[0]) << 24 | uint32_t(h[1]) << 16 | uint32_t(h[2]) << 8 | uint32_t(h[3])) % 1000000u;
  char text[8];
  std::snprintf(text, sizeof text, "%03u %03u", unsigned(n / 1000), unsigned(n % 1000));
  return text;
}

}  // namespace peercall
