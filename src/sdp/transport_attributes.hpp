#pragma once
// The ICE (RFC 8839) and DTLS-SRTP (RFC 5763, RFC 8122, RFC 8842) lines of a
// JSEP m-section: a=ice-ufrag, a=ice-pwd, a=candidate, a=end-of-candidates,
// a=fingerprint, a=setup. Written on our m-lines, read from the remote SDP with
// media level winning over session level. Remote values are validated here, so
// the ICE and DTLS layers get well-formed strings.
#include <string>
#include <string_view>
#include <vector>

#include "core/dtls_role.hpp"
#include "core/result.hpp"
#include "sdp/session_description.hpp"

namespace peercall {

// a=setup values (RFC 4145); holdconn is refused when read.
enum class DtlsSetup { kActpass, kActive, kPassive };

// One side's transport as its SDP states it.
struct TransportDescription {
  std::string ice_ufrag;
  std::string ice_pwd;
  // "candidate:<foundation> <component> <transport> <priority> <address> <port> typ <type> ...",
  // as in RTCIceCandidate.candidate (and what libnice's candidate SDP parser takes).
  std::vector<std::string> candidates;
  std::string fingerprint;  // "<hash> <HEX:HEX:...>", e.g. "sha-256 4A:1F:..."; read ones are normalized
  bool ice_lite = false;    // read only: the remote is ICE lite (a=ice-lite), so we must control
  bool operator==(const TransportDescription&) const = default;
};

// Adds to one of our m-lines: a=rtcp:9 IN IP4 0.0.0.0, a=ice-ufrag, a=ice-pwd,
// a=fingerprint, a=setup, every candidate, then a=end-of-candidates (we gather
// fully before signalling, so no trickle). Candidates may come with or without
// a leading "a=" / "candidate:".
void add_transport_attributes(MediaDescription& m, const TransportDescription& ours, DtlsSetup setup);

// The remote transport of the bundle carried by `tagged` (its first accepted
// m-line): ufrag, pwd and fingerprint from that m-line, else the session level;
// candidates from the session level and every m-line with the same ufrag,
// deduplicated, in order. `side` is "offer" or "answer", for the error lines.
Result<TransportDescription> read_transport(const SessionDescription& sd, const MediaDescription& tagged,
                                            std::string_view side);

// The a=setup of `tagged`, else of the session. Missing or holdconn is an Error.
Result<DtlsSetup> read_setup(const SessionDescription& sd, const MediaDescription& tagged, std::string_view side);

// "sha-256 ab:cd:.." -> "sha-256 AB:CD:.." if it names a SHA hash and holds the
// matching number of bytes; empty otherwise.
std::string normalized_fingerprint(std::string_view value);

}  // namespace peercall
