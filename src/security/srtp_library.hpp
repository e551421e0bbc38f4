#pragma once
// libsrtp2 keeps process-wide state (its crypto kernel, and here NSS, which
// Debian's build uses for AES and HMAC). srtp_init must run once before any
// session is created; srtp_shutdown is never called, because sessions may
// live until exit and the library cannot be re-initialised under them.
#include "core/result.hpp"

namespace peercall {

// Initialises libsrtp2 on the first call (thread-safe); later calls return
// the first call's outcome.
Result<Done> ensure_srtp_library();

}  // namespace peercall
