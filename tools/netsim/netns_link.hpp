#pragma once
// The I/O edge of peercall-netsim: two network namespaces, each with a TUN
// device ("netsim0") holding its side's address, whose file descriptors this
// process keeps. Every packet one namespace sends to the other is read here
// and must be written to the other TUN by the caller: no route, bridge or IP
// forwarding joins them, so nothing bypasses the impairment. The namespaces
// are removed when the object goes away (the TUN devices go with their fds).
#include <memory>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "link_addresses.hpp"

namespace peercall::netsim {

inline constexpr const char* kTunName = "netsim0";

struct NetnsPlan {
  std::string ns_a = "pcsimA";
  std::string ns_b = "pcsimB";
  LinkAddresses addresses;
};

class NetnsLink {
 public:
  // Refuses namespaces that already exist (a leftover: `peercall-netsim down`).
  static Result<std::unique_ptr<NetnsLink>> create(const NetnsPlan& plan);
  ~NetnsLink();
  NetnsLink(const NetnsLink&) = delete;
  NetnsLink& operator=(const NetnsLink&) = delete;

  int tun_a() const { return tun_a_; }
  int tun_b() const { return tun_b_; }

 private:
  NetnsLink() = default;
  Result<int> add_side(const std::string& ns, const Ipv4Prefix& address);

  std::vector<std::string> created_;
  int tun_a_ = -1;
  int tun_b_ = -1;
};

// Deletes the namespaces a killed `up` left behind; one holding any interface
// other than lo and netsim0 was not made by this tool and is left alone.
Result<Done> remove_leftovers(const std::vector<std::string>& namespaces);

bool namespace_exists(const std::string& name);

}  // namespace peercall::netsim
