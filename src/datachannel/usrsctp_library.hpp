#pragma once
// usrsctp is one stack per process: this is its only owner. It is started
// without threads (usrsctp_init_nothreads), so nothing runs behind our back:
// usrsctp's timers fire only inside advance(), packets are processed only
// inside usrsctp_conninput, and both happen on the caller's thread.
//
// Every SctpAssociation holds a UsrsctpLibrary::Handle (reference count: the
// first one initialises usrsctp and sets its global tunables, the last one
// tries usrsctp_finish). Outbound packets come back through one C callback
// with the AF_CONN address the association registered; the library routes
// them to that association's sink, or drops them if it is gone already.
//
// Timers: usrsctp keeps one global tick count for all associations. advance()
// moves it to the latest Instant any association was given, so two
// associations driven from the same clock never count time twice.
// usrsctp also reads the real clock (gettimeofday) for RTT samples and cookie
// lifetimes; with a virtual clock RTTs come out near zero and RTO = rto_min.
#include <cstddef>
#include <cstdint>
#include <functional>

#include "core/bytes.hpp"
#include "core/time.hpp"

namespace peercall {

class UsrsctpLibrary {
 public:
  // Where an association's outbound SCTP packets go. Called from inside
  // usrsctp (any association's call may trigger another's timer), so it must
  // only queue, never call back into usrsctp.
  using PacketSink = std::function<void(ByteView packet)>;

  class Handle {
   public:
    Handle();
    ~Handle();
    Handle(const Handle&) = delete;
    Handle& operator=(const Handle&) = delete;
  };

  // Registers `address` (the association's AF_CONN address) with usrsctp and
  // routes its packets to `sink`. Requires a live Handle.
  static void attach(void* address, PacketSink sink);
  // After this returns no packet reaches the sink any more.
  static void detach(void* address);

  // Fires every usrsctp timer due by `now` (ms granularity; the remainder is
  // carried). An Instant earlier than the last one (a new virtual clock in
  // tests) restarts the count from it.
  static void advance(Instant now);

  struct Stats {
    uint64_t packets_routed = 0;
    uint64_t packets_unrouted = 0;  // for an association already gone
    int users = 0;
    bool initialised = false;
  };
  static Stats stats();
};

}  // namespace peercall
