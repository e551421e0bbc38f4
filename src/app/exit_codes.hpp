#pragma once
// Exit codes say what happened (documented in the README).
namespace peercall {

enum class ExitCode : int {
  kOk = 0,              // hung up here or there, stream over, --duration reached
  kError = 1,           // a device, file or codec failed
  kUsage = 2,           // bad command line
  kConnectFailed = 3,   // nobody listening, unreachable, busy or refused
  kPeerLost = 4,        // the other side vanished (nothing heard for 3 s)
};

inline int to_int(ExitCode c) { return static_cast<int>(c); }

}  // namespace peercall
