#pragma once
// What an IceAgent is configured with, and the vocabulary it reports in.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.hpp"
#include "core/time.hpp"

namespace peercall {

enum class IceState { kNew, kGathering, kChecking, kConnected, kFailed, kClosed };
const char* to_string(IceState state);

struct TurnServer {
  std::string host;  // name or address literal; resolved when the agent is created
  uint16_t port = 3478;
  std::string user, password;
  bool tcp = false;  // TURN over TCP to the server (the relayed address is still UDP)
};

struct IceConfig {
  bool controlling = false;  // the offerer controls
  // "" , "::" or "0.0.0.0": host candidates on every interface (libnice leaves
  // loopback out when another interface exists); otherwise only on this address.
  std::string bind_address;
  // With bind_address "all": also offer loopback host candidates (libnice
  // leaves them out), so two peers on one machine find each other over lo.
  bool include_loopback = false;
  // Local UDP ports for host candidates (0/0: any). min == max pins one port.
  uint16_t min_port = 0, max_port = 0;
  std::optional<std::pair<std::string, uint16_t>> stun;  // --stun HOST:PORT
  std::vector<TurnServer> turn;  // --turn turn:USER:PASS@HOST:PORT[?transport=tcp]
  bool relay_only = false;       // only relayed candidates (libnice "force-relay")
  // A peer that sends nothing for this long while connected is reported gone
  // (kFailed) and nothing more is sent to it. Zero: never. See IceAgent for
  // why this is ours and not libnice's.
  Duration consent_timeout = seconds(5);
};

struct IceCredentials {
  std::string ufrag, pwd;
};

// "turn:USER:PASS@HOST:PORT", "turn:USER:PASS@[::1]:3478?transport=tcp" (the
// port defaults to 3478; transport=udp is accepted too). USER holds no ':'.
Result<TurnServer> parse_turn_server(std::string_view url);

// "HOST:PORT" or "[V6]:PORT" (port defaults to 3478) for --stun.
Result<std::pair<std::string, uint16_t>> parse_stun_server(std::string_view text);

}  // namespace peercall
