#pragma once
// Who gets through to a listening peercall: the policy, apart from the
// server that asks it. A caller is let in with the invitation code as its
// bearer token, or as a known peer (its SDP names a fingerprint known_peers
// holds; DTLS then proves it). Everyone else is refused before any media
// flows. The wrong kind of client (a viewer at a call, a caller at a stream)
// is told what it reached.
#include <functional>
#include <optional>
#include <string>

namespace peercall {

struct AdmissionRequest {
  std::string path;          // "/whip" (calls) or "/whep" (viewers)
  std::string bearer_token;  // "" if none
  std::string fingerprint;   // the offer's a=fingerprint, normalised ("" if none)
  std::string remote_address;
};

struct AdmissionDecision {
  bool admitted = false;
  int status = 201;          // else 401, 403, 409
  std::string reply;         // one line for the other side
  std::string log;           // one line for our user: who got in, or who was refused and why
  std::string known_as;      // the known_peers name it came in as, if any
};

struct AdmissionPolicy {
  bool is_stream = false;                 // this side streams (offers go to /whep)
  std::string invitation;                 // the code for this run
  std::function<std::optional<std::string>(const std::string& fingerprint)> known_peer;
  std::string host_hint;                  // HOST:PORT as typed on the other side, for the replies

  AdmissionDecision decide(const AdmissionRequest& request) const;
};

}  // namespace peercall
