#pragma once
// A certificate fingerprint as SDP carries it (RFC 8122 a=fingerprint):
// "sha-256 AB:CD:...". DTLS-SRTP authenticates the peer by comparing the
// fingerprint of the certificate it presents with the one from its SDP.
#include <openssl/x509.h>

#include <string>
#include <string_view>

#include "core/result.hpp"

namespace peercall {

struct Fingerprint {
  std::string algorithm;  // lowercase hash name, "sha-256"
  std::string hex;        // uppercase, colon-separated bytes, "AB:CD:..."

  // "sha-256 AB:CD:..." (the value of an SDP a=fingerprint line).
  std::string to_string() const;
  // Accepts any case and surrounding spaces; checks the hash name and that the
  // digest has that hash's length (sha-256: 32 bytes).
  static Result<Fingerprint> parse(std::string_view text);
  // Algorithm and hex compare case-insensitively.
  bool operator==(const Fingerprint& other) const;
};

// The fingerprint of a certificate's DER encoding with the named hash
// ("sha-1", "sha-224", "sha-256", "sha-384", "sha-512").
Result<Fingerprint> fingerprint_of(X509* cert, std::string_view algorithm);
// sha-256, what peercall announces.
Fingerprint fingerprint_of(X509* cert);

}  // namespace peercall
