#pragma once
// Invitation codes: the secret that makes "nobody gets your camera uninvited".
// A listener creates one (or takes the user's --invite CODE) and only answers
// callers that present it; it travels in the call target ("host:5004/CODE")
// or the browser link's fragment ("https://host:5004/call#CODE").
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace peercall {

// A fresh code: 120 bits from the OS CSPRNG (OpenSSL RAND_bytes), written as
// 24 characters of lowercase RFC 4648 base32 without padding (alphabet
// "abcdefghijklmnopqrstuvwxyz234567"; 24 x 5 bits = 120 bits exactly). Easy to
// read aloud and type, and valid for validate_invitation_code.
// If the CSPRNG fails the process aborts with a message: a guessable code must
// never be handed out, and there is no sensible way to go on without one.
std::string new_invitation_code();

inline constexpr size_t kInvitationCodeMinLength = 16;
inline constexpr size_t kInvitationCodeMaxLength = 128;

// Checks a user-chosen code (`--invite CODE`, or the CODE part of a call
// target): 16 to 128 characters of A-Z a-z 0-9 '_' '-' (URL-safe, typeable).
// Returns the code unchanged, or a one-line reason saying what is allowed.
Result<std::string> validate_invitation_code(std::string_view code);

// Whether a caller's code equals the expected one, in time independent of
// where they differ (CRYPTO_memcmp). Only the lengths leak. An empty expected
// code never matches: "no invitation" must be decided by the caller, not here.
bool invitation_matches(std::string_view expected, std::string_view given);

}  // namespace peercall
