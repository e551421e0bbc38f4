#include "security/dtls_context.hpp"

#include <openssl/srtp.h>

namespace peercall {
namespace {

// Forward-secret AEAD suites only. Our certificate is ECDSA, so as a server we
// pick the ECDSA ones; the RSA ones let us talk to a peer with an RSA certificate.
constexpr const char* kCiphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:"
    "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-CHACHA20-POLY1305";

// Self-signed is the norm in WebRTC: trust comes from the fingerprint check
// after the handshake, so every chain is accepted here.
int accept_any_certificate(int, X509_STORE_CTX*) { return 1; }

}  // namespace

const char* openssl_srtp_name(SrtpProfile profile) {
  return profile == SrtpProfile::kAeadAes128Gcm ? "SRTP_AEAD_AES_128_GCM" : "SRTP_AES128_CM_SHA1_80";
}
size_t srtp_master_key_bytes(SrtpProfile) { return 16; }
size_t srtp_master_salt_bytes(SrtpProfile profile) {
  return profile == SrtpProfile::kAeadAes128Gcm ? 12 : 14;
}

Result<SslCtxPtr> make_dtls_context(const Identity& identity, const std::vector<SrtpProfile>& profiles) {
  ERR_clear_error();
  SslCtxPtr ctx(SSL_CTX_new(DTLS_method()));
  if (!ctx) return Error("dtls: cannot create a context: " + take_openssl_error());
  SSL_CTX* c = ctx.get();
  bool ok = SSL_CTX_set_min_proto_version(c, DTLS1_2_VERSION) == 1 &&
            SSL_CTX_set_max_proto_version(c, DTLS1_2_VERSION) == 1 &&
            SSL_CTX_set_cipher_list(c, kCiphers) == 1 &&
            SSL_CTX_set1_groups_list(c, "X25519:P-256:P-384") == 1 &&
            SSL_CTX_use_certificate(c, identity.certificate()) == 1 &&
            SSL_CTX_use_PrivateKey(c, identity.key()) == 1 && SSL_CTX_check_private_key(c) == 1;
  if (!ok) return Error("dtls: cannot configure the context: " + take_openssl_error());

  SSL_CTX_set_options(c, SSL_OP_NO_TICKET | SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_QUERY_MTU |
                             SSL_OP_CIPHER_SERVER_PREFERENCE);
  SSL_CTX_set_session_cache_mode(c, SSL_SESS_CACHE_OFF);
  SSL_CTX_set_read_ahead(c, 1);
  SSL_CTX_set_verify(c, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, accept_any_certificate);

  if (!profiles.empty()) {
    std::string list;
    for (SrtpProfile p : profiles) {
      if (!list.empty()) list += ':';
      list += openssl_srtp_name(p);
    }
    // Unusually, this returns 0 on success.
    if (SSL_CTX_set_tlsext_use_srtp(c, list.c_str()) != 0)
      return Error("dtls: cannot offer SRTP profiles " + list + ": " + take_openssl_error());
  }
  return ctx;
}

}  // namespace peercall
