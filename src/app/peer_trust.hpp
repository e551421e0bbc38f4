#pragma once
// Who we are and whom we trust: the user's identity (key and certificate under
// the config directory), known_peers, --expect-fingerprint, and the short
// authentication string both sides show. Decisions only; the call set-up asks.
#include <memory>
#include <optional>
#include <string>

#include "app/media_options.hpp"
#include "identity/known_peers.hpp"
#include "security/identity.hpp"

namespace peercall {

class PeerTrust {
 public:
  static Result<std::unique_ptr<PeerTrust>> open(const MediaOptions& options);

  std::shared_ptr<const Identity> identity() const { return identity_; }
  std::string own_fingerprint() const { return identity_->fingerprint().to_string(); }
  const std::string& config_dir() const { return dir_; }

  // The known peer with this fingerprint (a listener lets it in without a code).
  std::optional<std::string> known_name(const std::string& fingerprint) const;
  // Before calling on: the other side's fingerprint against --expect-fingerprint
  // (an Error refuses the call) and against known_peers under --name (a
  // changed one is warned about loudly).
  Result<Done> check_peer(const std::string& fingerprint);
  // Once connected: remembers the peer under --name (if given).
  void remember(const std::string& fingerprint);
  std::string short_auth_string_with(const std::string& remote_fingerprint) const;

 private:
  PeerTrust() = default;
  std::shared_ptr<const Identity> identity_;
  std::optional<KnownPeers> known_;
  std::string dir_;
  std::string name_;
  std::string expected_;
};

}  // namespace peercall
