#include "identity/invitation.hpp"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/rand.h>

#include <array>
#include <cstdio>
#include <cstdlib>

namespace peercall {
namespace {

constexpr char kBase32Alphabet[] = "abcdefghijklmnopqrstuvwxyz234567";
constexpr size_t kCodeBytes = 15;  // 120 bits

bool is_code_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

}  // namespace

std::string new_invitation_code() {
  std::array<unsigned char, kCodeBytes> random{};
  if (RAND_bytes(random.data(), int(random.size())) != 1) {
    char detail[256] = "unknown error";
    ERR_error_string_n(ERR_get_error(), detail, sizeof detail);
    std::fprintf(stderr, "peercall: the system random generator failed (%s); cannot create an invitation code\n",
                 detail);
    std::abort();
  }
  // Base32: take the bytes as one bit string, 5 bits per character, high bits first.
  std::string code;
  code.reserve(kCodeBytes * 8 / 5);
  uint32_t buffer = 0;
  int bits = 0;
  for (unsigned char byte : random) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      code += kBase32Alphabet[(buffer >> bits) & 0x1f];
    }
  }
  OPENSSL_cleanse(random.data(), random.size());
  return code;  // 120 is a multiple of 5: no bits left over, no padding
}

Result<std::string> validate_invitation_code(std::string_view code) {
  static const std::string allowed = "an invitation code is 16-128 characters of A-Z a-z 0-9 _ -";
  if (code.empty()) return Error{allowed + " (it is empty)"};
  if (code.size() < kInvitationCodeMinLength)
    return Error{allowed + " (this one has " + std::to_string(code.size()) + ")"};
  if (code.size() > kInvitationCodeMaxLength)
    return Error{allowed + " (this one has " + std::to_string(code.size()) + ")"};
  for (size_t i = 0; i < code.size(); ++i) {
    if (!is_code_char(code[i]))
      return Error{allowed + " (character " + std::to_string(i + 1) + " is not)"};
  }
  return std::string(code);
}

bool invitation_matches(std::string_view expected, std::string_view given) {
  if (expected.empty() || expected.size() != given.size()) return false;
  return CRYPTO_memcmp(expected.data(), given.data(), expected.size()) == 0;
}

}  // namespace peercall
