#pragma once
// Addresses as users and SDP c= lines want them: a dual-stack socket reports
// IPv4 peers as ::ffff:a.b.c.d, which is shown as plain a.b.c.d.
#include <string>

#include "core/asio.hpp"

namespace peercall {

inline std::string address_text(const asio::ip::address& address) {
  if (address.is_v6() && address.to_v6().is_v4_mapped())
    return asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6()).to_string();
  return address.to_string();
}

}  // namespace peercall
