#pragma once
// Who gets through to a listening peercall: the policy, apart from the
// server that asks it. A caller is let in with the invitation code as its
// bearer token, or as a known peer (its SDP names a fingerprint known_peers
// holds; DTLS then proves it). Everyone else is refused before any media
// flows, unless --accept says otherwise: `ask` puts the question to our user
// (AdmissionQuestions), `any` lets everyone in. The wrong kind of client (a
// viewer at a call, a caller at a stream) is told what it reached.
#include <functional>
#include <mutex>
#include <optional>
#include <string>

#include "core/result.hpp"
#include "core/time.hpp"

namespace peercall {

// --accept: invited (a code or a known peer), ask (our user decides), any.
enum class AcceptMode { kInvited, kAsk, kAny };
Result<AcceptMode> parse_accept_mode(const std::string& text);
const char* accept_mode_name(AcceptMode mode);

struct AdmissionRequest {
  std::string path;          // "/whip" (calls) or "/whep" (viewers)
  std::string bearer_token;  // "" if none
  std::string fingerprint;   // the offer's a=fingerprint, normalised ("" if none)
  std::string remote_address;
};

struct AdmissionDecision {
  bool admitted = false;
  bool ask = false;          // not admitted yet: our user decides (--accept ask)
  int status = 201;          // else 401, 403, 409
  std::string reply;         // one line for the other side
  std::string log;           // one line for our user: who got in, or who was refused and why
  std::string known_as;      // the known_peers name it came in as, if any
};

struct AdmissionPolicy {
  bool is_stream = false;                 // this side streams (offers go to /whep)
  AcceptMode accept = AcceptMode::kInvited;
  std::string invitation;                 // the code for this run
  std::function<std::optional<std::string>(const std::string& fingerprint)> known_peer;
  std::string host_hint;                  // HOST:PORT as typed on the other side, for the replies

  AdmissionDecision decide(const AdmissionRequest& request) const;
};

// What our user is shown about an uninvited caller.
struct IncomingCaller {
  std::string address;      // "192.0.2.7"
  std::string fingerprint;  // normalised "sha-256 AB:..." ("" if none)
  std::string name;         // what its offer calls itself (SDP s=), "" if nothing useful
  bool viewer = false;      // wants to watch a stream rather than call
};

// "AB:CD:EF:01...9C": the first four and the last byte pair, enough to compare
// with what the other side's banner shows ("?" if there is none).
std::string short_fingerprint(const std::string& fingerprint);
// A name from the other side, made safe for a terminal: printable ASCII, at
// most 40 characters; "" for nothing useful ("-", empty).
std::string caller_name(const std::string& sdp_session_name);
// "call from 192.0.2.7, fingerprint AB:CD:EF:01...9C, \"Ann\""
std::string describe_caller(const IncomingCaller& caller);

// The one open question "let this caller in?", answered by a key (terminal
// or window) or declined when its time is up. One question at a time; thread
// safe: the network thread asks and expires, the main thread types.
class AdmissionQuestions {
 public:
  static constexpr Duration kTimeout = seconds(30);
  // accepted, and the reason when not ("declined", "no answer within 30 s").
  using Decide = std::function<void(bool accepted, const std::string& why)>;

  // Opens the question; false if another is open (the caller is told to retry).
  bool ask(const IncomingCaller& caller, Instant deadline, Decide decide);
  // a/y/A/Y accept, d/n/D/N decline. True if the key answered a question.
  bool on_key(char key);
  // Declines an open question whose deadline passed; true if it did.
  bool expire(Instant now);
  // Declines whatever is open (shutting down).
  void cancel();
  bool is_open() const;
  // The question as one line for the window ("" if none).
  std::string prompt() const;

 private:
  struct Open {
    IncomingCaller caller;
    Instant deadline;
    Decide decide;
  };
  // Closes the open question and calls its Decide outside the lock.
  void close(bool accepted, const std::string& why);

  mutable std::mutex mu_;
  std::optional<Open> open_;
};

}  // namespace peercall
