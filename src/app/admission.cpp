#include "app/admission.hpp"

#include "identity/invitation.hpp"

namespace peercall {

Result<AcceptMode> parse_accept_mode(const std::string& text) {
  if (text == "invited") return AcceptMode::kInvited;
  if (text == "ask") return AcceptMode::kAsk;
  if (text == "any") return AcceptMode::kAny;
  return Error{"--accept " + text + ": must be invited, ask or any"};
}

const char* accept_mode_name(AcceptMode mode) {
  switch (mode) {
    case AcceptMode::kInvited: return "invited";
    case AcceptMode::kAsk: return "ask";
    case AcceptMode::kAny: return "any";
  }
  return "?";
}

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
  if (accept == AcceptMode::kAny) {
    d.admitted = true;
    d.log = "not invited, let in by --accept any";
    return d;
  }
  if (accept == AcceptMode::kAsk) {
    d.ask = true;
    d.status = 0;
    d.log = "not invited: asking";
    return d;
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

std::string short_fingerprint(const std::string& fingerprint) {
  const size_t space = fingerprint.find(' ');
  const std::string hex = space == std::string::npos ? fingerprint : fingerprint.substr(space + 1);
  // 32 pairs: "AB:" * 31 + "EF" = 95 characters.
  if (hex.size() < 2 * 5 + 4) return hex.empty() ? "?" : hex;
  return hex.substr(0, 11) + "..." + hex.substr(hex.size() - 2);
}

std::string caller_name(const std::string& sdp_session_name) {
  std::string out;
  for (char c : sdp_session_name) {
    if (out.size() >= 40) break;
    if (c >= 0x20 && c < 0x7f && c != '"') out.push_back(c);
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  if (out == "-" || out == "peercall") return {};
  return out;
}

std::string describe_caller(const IncomingCaller& caller) {
  std::string out = std::string(caller.viewer ? "viewer" : "call") + " from " + caller.address +
                    ", fingerprint " + short_fingerprint(caller.fingerprint);
  if (!caller.name.empty()) out += ", \"" + caller.name + "\"";
  return out;
}

bool AdmissionQuestions::ask(const IncomingCaller& caller, Instant deadline, Decide decide) {
  std::lock_guard lock(mu_);
  if (open_) return false;
  open_ = Open{caller, deadline, std::move(decide)};
  return true;
}

bool AdmissionQuestions::on_key(char key) {
  switch (key) {
    case 'a': case 'A': case 'y': case 'Y':
      if (!is_open()) return false;
      close(true, "");
      return true;
    case 'd': case 'D': case 'n': case 'N':
      if (!is_open()) return false;
      close(false, "declined");
      return true;
    default:
      return false;
  }
}

bool AdmissionQuestions::expire(Instant now) {
  {
    std::lock_guard lock(mu_);
    if (!open_ || now < open_->deadline) return false;
  }
  close(false, "no answer within " + std::to_string(to_micros(kTimeout) / 1000000) + " s");
  return true;
}

void AdmissionQuestions::cancel() { close(false, "shutting down"); }

bool AdmissionQuestions::is_open() const {
  std::lock_guard lock(mu_);
  return open_.has_value();
}

std::string AdmissionQuestions::prompt() const {
  std::lock_guard lock(mu_);
  if (!open_) return {};
  return describe_caller(open_->caller) + ": a = accept, d = decline";
}

void AdmissionQuestions::close(bool accepted, const std::string& why) {
  std::optional<Open> closing;
  {
    std::lock_guard lock(mu_);
    closing.swap(open_);
  }
  if (closing && closing->decide) closing->decide(accepted, why);
}

}  // namespace peercall
