#include "app/peer_trust.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include "identity/fingerprint.hpp"
#include "identity/short_auth_string.hpp"

namespace peercall {
namespace {

std::string default_name() {
  const char* user = std::getenv("USER");
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  return std::string(user && *user ? user : "peercall") + "@" + (host[0] ? host : "localhost");
}

}  // namespace

Result<std::unique_ptr<PeerTrust>> PeerTrust::open(const MediaOptions& options) {
  std::unique_ptr<PeerTrust> t(new PeerTrust);
  t->dir_ = options.config_dir.empty() ? default_config_dir() : options.config_dir;
  if (t->dir_.empty()) return Error{"no place for the identity: set HOME or XDG_CONFIG_HOME"};
  auto identity = Identity::load_or_create(t->dir_, default_name());
  if (!identity) return Error{identity.error()};
  t->identity_ = *identity;
  auto known = KnownPeers::load(t->dir_ + "/known_peers");
  if (!known) return Error{known.error()};
  for (const auto& w : known->warnings()) spdlog::warn("{}", w);
  t->known_ = std::move(*known);
  t->name_ = options.name;
  if (!t->name_.empty() && !KnownPeers::is_valid_name(t->name_))
    return Error{"--name '" + t->name_ + "': use 1-64 of A-Z a-z 0-9 . _ @ -"};
  if (!options.expect_fingerprint.empty()) {
    auto fp = normalize_fingerprint(options.expect_fingerprint);
    if (!fp) return Error{"--expect-fingerprint: expected \"sha-256 AB:CD:...\" (32 bytes)"};
    t->expected_ = *fp;
  }
  return t;
}

std::optional<std::string> PeerTrust::known_name(const std::string& fingerprint) const {
  return known_->name_of(fingerprint);
}

Result<Done> PeerTrust::check_peer(const std::string& fingerprint) {
  if (!expected_.empty() && normalize_fingerprint(fingerprint).value_or("") != expected_)
    return Error{"the other side is " + fingerprint + ", not the expected " + expected_ + ": refused"};
  if (name_.empty()) return Done{};
  std::string previous;
  if (known_->check(name_, fingerprint, &previous) == KnownPeers::Check::kChanged) {
    spdlog::warn("@@@ WARNING: {} IS NOT WHO IT WAS: known as {}, now {}. Someone may be "
                 "listening in, or {} has a new machine: compare the check number aloud. "
                 "(To accept, remove the line for {} from {}.)",
                 name_, previous, fingerprint, name_, name_, known_->path().string());
  }
  return Done{};
}

void PeerTrust::remember(const std::string& fingerprint) {
  if (name_.empty()) return;
  if (known_->check(name_, fingerprint) != KnownPeers::Check::kNew) return;
  if (auto ok = known_->remember(name_, fingerprint); !ok)
    spdlog::warn("cannot remember {}: {}", name_, ok.error());
  else
    spdlog::info("remembered {} as {} in {}", name_, fingerprint, known_->path().string());
}

std::string PeerTrust::short_auth_string_with(const std::string& remote_fingerprint) const {
  return short_auth_string(own_fingerprint(), remote_fingerprint);
}

}  // namespace peercall
