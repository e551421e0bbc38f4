#pragma once
// The SRTP vocabulary shared by the DTLS handshake (which negotiates a profile
// and exports keys, RFC 5764) and the SRTP session (which uses them).
#include "core/bytes.hpp"

namespace peercall {

enum class SrtpProfile { kAes128CmSha1_80, kAeadAes128Gcm };

struct SrtpKeyMaterial {
  SrtpProfile profile;
  Bytes local;   // master key || master salt for what WE send
  Bytes remote;  // master key || master salt for what we RECEIVE
};
// AES-CM: 16-byte key + 14-byte salt; AEAD-AES-128-GCM: 16 + 12 (RFC 7714).

}  // namespace peercall
