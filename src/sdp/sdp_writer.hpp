#pragma once
// SessionDescription -> SDP text (RFC 8866), CRLF line ends, in the order
// FFmpeg's SDP demuxer and browsers expect (v, o, s, c, t, a, then m-sections).
#include <string>

#include "sdp/session_description.hpp"

namespace peercall {

// Output parses back with parse_sdp to an equal SessionDescription (for models
// parse_sdp can produce). CR, LF and NUL inside fields are dropped so no field can inject
// a line. SSRCs are written as "a=ssrc:<id> cname:<cname>" only when cname is set.
std::string write_sdp(const SessionDescription& sd);

}  // namespace peercall
