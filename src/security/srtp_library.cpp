#include "security/srtp_library.hpp"

#include <srtp2/srtp.h>

#include <mutex>
#include <string>

namespace peercall {

Result<Done> ensure_srtp_library() {
  static std::once_flag once;
  static srtp_err_status_t status = srtp_err_status_ok;
  std::call_once(once, [] { status = srtp_init(); });
  if (status != srtp_err_status_ok)
    return Error("srtp: library initialisation failed (libsrtp status " +
                 std::to_string(static_cast<int>(status)) + ")");
  return Done{};
}

}  // namespace peercall
