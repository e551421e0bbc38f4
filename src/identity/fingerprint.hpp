#pragma once
// A certificate fingerprint as SDP's a=fingerprint carries it (RFC 8122):
// "sha-256 AB:CD:...:EF", the SHA-256 of the DER certificate as 32 hex byte
// pairs joined by ':'. Peers are known by it (known_peers) and the short
// authentication string is computed from it, so every component compares the
// one canonical spelling: algorithm lowercase, hex uppercase, one space.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace peercall {

inline constexpr size_t kFingerprintDigestSize = 32;

// The canonical form of a SHA-256 fingerprint, accepting any letter case and
// spaces/tabs around and between the two parts. nullopt when the text is not
// "sha-256" followed by exactly 32 colon-separated hex byte pairs.
std::optional<std::string> normalize_fingerprint(std::string_view text);

// "sha-256 AB:CD:..." for a SHA-256 digest (e.g. of a DER certificate).
std::string format_fingerprint(const std::array<uint8_t, kFingerprintDigestSize>& digest);

}  // namespace peercall
