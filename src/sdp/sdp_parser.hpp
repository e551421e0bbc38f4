#pragma once
// SDP text -> SessionDescription (RFC 8866). The input is untrusted (it arrives in
// an HTTP POST), so every size is bounded and every failure is an Error; lines and
// attributes we do not model are kept (a=) or skipped (b=, t=, ...), never fatal.
#include <cstddef>
#include <string_view>

#include "core/result.hpp"
#include "sdp/session_description.hpp"

namespace peercall {

inline constexpr size_t kMaxSdpBytes = 64 * 1024;
inline constexpr size_t kMaxSdpLineLength = 4096;
inline constexpr size_t kMaxSdpMediaSections = 64;
inline constexpr size_t kMaxSdpCodecsPerMedia = 128;
inline constexpr size_t kMaxSdpSsrcsPerMedia = 64;

// Accepts CRLF and bare LF line ends. An SDP without any m-line is an Error.
Result<SessionDescription> parse_sdp(std::string_view text);

}  // namespace peercall
