#include "security/fingerprint.hpp"

#include <openssl/evp.h>

#include <cctype>

namespace peercall {
namespace {

struct HashName {
  const char* name;
  size_t length;
  const EVP_MD* (*md)();
};
// The hash names of RFC 8122 section 5 that OpenSSL provides (md2/md5 are refused).
constexpr HashName kHashes[] = {
    {"sha-1", 20, EVP_sha1},     {"sha-224", 28, EVP_sha224}, {"sha-256", 32, EVP_sha256},
    {"sha-384", 48, EVP_sha384}, {"sha-512", 64, EVP_sha512},
};

const HashName* find_hash(std::string_view lowercase_name) {
  for (const auto& h : kHashes)
    if (lowercase_name == h.name) return &h;
  return nullptr;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = char(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool equal_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

std::string colon_hex(const unsigned char* data, size_t n) {
  static const char kDigits[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(n * 3);
  for (size_t i = 0; i < n; ++i) {
    if (i) out.push_back(':');
    out.push_back(kDigits[data[i] >> 4]);
    out.push_back(kDigits[data[i] & 15]);
  }
  return out;
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

}  // namespace

std::string Fingerprint::to_string() const { return algorithm + " " + hex; }

bool Fingerprint::operator==(const Fingerprint& other) const {
  return equal_ignoring_case(algorithm, other.algorithm) && equal_ignoring_case(hex, other.hex);
}

Result<Fingerprint> Fingerprint::parse(std::string_view text) {
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  size_t gap = 0;
  while (gap < text.size() && !is_space(text[gap])) ++gap;
  if (gap == text.size()) return Error("fingerprint: expected \"HASH HEX\", e.g. \"sha-256 AB:CD:...\"");
  Fingerprint fp;
  fp.algorithm = lower(text.substr(0, gap));
  std::string_view digits = text.substr(gap);
  while (!digits.empty() && is_space(digits.front())) digits.remove_prefix(1);

  const HashName* hash = find_hash(fp.algorithm);
  if (!hash) return Error("fingerprint: unsupported hash \"" + fp.algorithm + "\"");
  // n bytes are 2n hex digits and n-1 colons.
  if (digits.size() != hash->length * 3 - 1)
    return Error("fingerprint: a " + fp.algorithm + " fingerprint has " +
                 std::to_string(hash->length) + " bytes as AB:CD:... hex");
  for (size_t i = 0; i < digits.size(); ++i) {
    char c = digits[i];
    bool ok = (i % 3 == 2) ? c == ':' : std::isxdigit(static_cast<unsigned char>(c)) != 0;
    if (!ok) return Error("fingerprint: bad character in \"" + std::string(digits) + "\"");
    fp.hex.push_back(char(std::toupper(static_cast<unsigned char>(c))));
  }
  return fp;
}

Result<Fingerprint> fingerprint_of(X509* cert, std::string_view algorithm) {
  std::string name = lower(algorithm);
  const HashName* hash = find_hash(name);
  if (!hash) return Error("fingerprint: unsupported hash \"" + name + "\"");
  if (!cert) return Error("fingerprint: no certificate");
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (X509_digest(cert, hash->md(), digest, &length) != 1 || length != hash->length)
    return Error("fingerprint: could not hash the certificate");
  return Fingerprint{name, colon_hex(digest, length)};
}

Fingerprint fingerprint_of(X509* cert) {
  auto fp = fingerprint_of(cert, "sha-256");
  return fp ? *fp : Fingerprint{"sha-256", ""};
}

}  // namespace peercall
