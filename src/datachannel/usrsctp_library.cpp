#include "datachannel/usrsctp_library.hpp"

#include <usrsctp.h>

#include <algorithm>
#include <mutex>
#include <optional>
#include <unordered_map>

namespace peercall {
namespace {

struct LibraryState {
  std::mutex users_mutex;  // guards users, initialised
  int users = 0;
  bool initialised = false;

  std::mutex routes_mutex;  // guards routes and the counters; held while a sink queues
  std::unordered_map<void*, UsrsctpLibrary::PacketSink> routes;
  uint64_t routed = 0;
  uint64_t unrouted = 0;

  std::mutex clock_mutex;  // guards last_tick; held while usrsctp's timers run (one caller at a time)
  std::optional<Instant> last_tick;
};

LibraryState& state() {
  static LibraryState s;  // never destroyed before usrsctp stops calling back
  return s;
}

int on_output(void* address, void* buffer, size_t length, uint8_t /*tos*/, uint8_t /*set_df*/) {
  LibraryState& s = state();
  std::lock_guard lock(s.routes_mutex);
  auto it = s.routes.find(address);
  if (it == s.routes.end()) {
    ++s.unrouted;
    return 0;  // the association is gone: what it still sends is dropped
  }
  ++s.routed;
  it->second(ByteView(static_cast<const uint8_t*>(buffer), length));
  return 0;
}

void on_debug(const char* /*format*/, ...) {}  // usrsctp debug output stays off

// The stack-wide tunables, as a browser's data channel stack uses them.
void set_tunables() {
  usrsctp_sysctl_set_sctp_ecn_enable(0);  // ECN over DTLS over UDP means nothing
  usrsctp_sysctl_set_sctp_pr_enable(1);   // partial reliability (RFC 3758): unreliable channels
  usrsctp_sysctl_set_sctp_reconfig_enable(1);  // stream reset (RFC 6525): closing channels
  usrsctp_sysctl_set_sctp_asconf_enable(0);    // one path, no address changes
  usrsctp_sysctl_set_sctp_auth_enable(0);      // DTLS authenticates every packet already
  // Chat wants failures noticed in seconds, not minutes.
  usrsctp_sysctl_set_sctp_rto_initial_default(1000);
  usrsctp_sysctl_set_sctp_rto_min_default(400);
  usrsctp_sysctl_set_sctp_rto_max_default(10 * 1000);
  usrsctp_sysctl_set_sctp_init_rto_max_default(10 * 1000);
  usrsctp_sysctl_set_sctp_heartbeat_interval_default(10 * 1000);
  usrsctp_sysctl_set_sctp_delayed_sack_time_default(20);  // 200 ms stalls small messages
  usrsctp_sysctl_set_sctp_initial_cwnd(10);               // RFC 6928
  usrsctp_sysctl_set_sctp_max_chunks_on_queue(10 * 1024); // a 256 KiB message is ~230 chunks
}

}  // namespace

UsrsctpLibrary::Handle::Handle() {
  LibraryState& s = state();
  std::lock_guard lock(s.users_mutex);
  if (s.users++ == 0 && !s.initialised) {
    usrsctp_init_nothreads(0, on_output, on_debug);  // port 0: no UDP encapsulation socket
    set_tunables();
    s.initialised = true;
  }
}

UsrsctpLibrary::Handle::~Handle() {
  LibraryState& s = state();
  std::lock_guard lock(s.users_mutex);
  if (--s.users == 0) {
    // Fails while an endpoint still lingers; then the stack stays up for the
    // next user (a later init over a live stack would corrupt it).
    if (usrsctp_finish() == 0) {
      s.initialised = false;
      std::lock_guard clock(s.clock_mutex);
      s.last_tick.reset();
    }
  }
}

void UsrsctpLibrary::attach(void* address, PacketSink sink) {
  LibraryState& s = state();
  {
    std::lock_guard lock(s.routes_mutex);
    s.routes[address] = std::move(sink);
  }
  usrsctp_register_address(address);
}

void UsrsctpLibrary::detach(void* address) {
  LibraryState& s = state();
  usrsctp_deregister_address(address);
  std::lock_guard lock(s.routes_mutex);
  s.routes.erase(address);
}

void UsrsctpLibrary::advance(Instant now) {
  LibraryState& s = state();
  std::lock_guard lock(s.clock_mutex);
  if (!s.last_tick || now < *s.last_tick) {
    s.last_tick = now;
    return;
  }
  auto elapsed = std::chrono::duration_cast<milliseconds>(now - *s.last_tick);
  if (elapsed.count() <= 0) return;
  *s.last_tick += elapsed;  // the sub-millisecond rest counts next time
  // One caller at a time: usrsctp's timer walk is written for a single thread.
  usrsctp_handle_timers(static_cast<uint32_t>(std::min<int64_t>(elapsed.count(), 60'000)));
}

UsrsctpLibrary::Stats UsrsctpLibrary::stats() {
  LibraryState& s = state();
  Stats out;
  {
    std::lock_guard lock(s.users_mutex);
    out.users = s.users;
    out.initialised = s.initialised;
  }
  std::lock_guard lock(s.routes_mutex);
  out.packets_routed = s.routed;
  out.packets_unrouted = s.unrouted;
  return out;
}

}  // namespace peercall
