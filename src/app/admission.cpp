#include "app/admission.hpp"

#include "identity/invitation.hpp"

namespace peercall {

AdmissionDecision AdmissionPolicy::decide(const AdmissionRequest& r) const {
  AdmissionDecision d;
  const std::string mine = is_stream ? "/whep" : "/whip";
  if (r.path != mine) {
    d.status = 409;
    d.reply = is_stream ? "this is a live stream (peercall stream), not a call: use `peercall watch`"
                        : "this is a call (peercall listen), not a stream: use `peercall call`";
    d.log = "refused " + r.remote_address + ": it wanted a " + (is_stream ? "call" : "stream");
    return d;
  }
  if (!r.bearer_token.empty() && invitation_matches(invitation, r.bearer_token)) {
    d.admitted = true;
    d.log = "invited";
    return d;
  }
  if (!r.fingerprint.empty() && known_peer) {
    if (auto name = known_peer(r.fingerprint)) {
      d.admitted = true;
      d.known_as = *name;
      d.log = "known peer " + *name;
      return d;
    }
  }
  if (r.bearer_token.empty()) {
    d.status = 401;
    d.reply = "an invitation code is needed: ask for the full address (HOST:PORT/CODE)";
    d.log = "refused " + r.remote_address + ": no invitation code";
  } else {
    d.status = 403;
    d.reply = "the invitation code is wrong";
    d.log = "refused " + r.remote_address + ": wrong invitation code";
  }
  return d;
}

}  // namespace peercall
