#pragma once
// The OpenSSL context for one DTLS-SRTP endpoint: DTLS 1.2 only, ECDHE with
// AEAD ciphers, our identity, a peer certificate required but accepted
// unverified (it is pinned by fingerprint afterwards), use_srtp offered in the
// given order of preference.
#include <vector>

#include "core/result.hpp"
#include "security/identity.hpp"
#include "security/openssl_handles.hpp"
#include "security/srtp_profile.hpp"

namespace peercall {

Result<SslCtxPtr> make_dtls_context(const Identity& identity, const std::vector<SrtpProfile>& profiles);

// OpenSSL's name of a profile ("SRTP_AEAD_AES_128_GCM") and the master key and
// salt lengths RFC 5764 / RFC 7714 give it.
const char* openssl_srtp_name(SrtpProfile profile);
size_t srtp_master_key_bytes(SrtpProfile profile);
size_t srtp_master_salt_bytes(SrtpProfile profile);

}  // namespace peercall
