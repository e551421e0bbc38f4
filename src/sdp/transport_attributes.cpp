#include "sdp/transport_attributes.hpp"

#include <algorithm>
#include <cctype>
#include <optional>

#include "sdp/sdp_tokens.hpp"

namespace peercall {
namespace {

using sdp_tokens::iequals;
using sdp_tokens::pieces;
using sdp_tokens::trim;

constexpr std::string_view kCandidatePrefix = "candidate:";

const char* setup_name(DtlsSetup s) {
  switch (s) {
    case DtlsSetup::kActive: return "active";
    case DtlsSetup::kPassive: return "passive";
    case DtlsSetup::kActpass: break;
  }
  return "actpass";
}

// The value of the first a=<name> of `attributes`, if any.
const Attribute* find_attribute(const std::vector<Attribute>& attributes, std::string_view name) {
  auto it = std::ranges::find_if(attributes, [&](const Attribute& a) { return a.name == name; });
  return it == attributes.end() ? nullptr : &*it;
}

// Media level wins over session level (RFC 8839 5.4, RFC 8122 5).
const Attribute* media_or_session(const SessionDescription& sd, const MediaDescription& m, std::string_view name) {
  if (const Attribute* a = find_attribute(m.other_attributes, name)) return a;
  return find_attribute(sd.attributes, name);
}

// RFC 8839: ice-char = ALPHA / DIGIT / "+" / "/"; ufrag 4-256, pwd 22-256 of them.
bool valid_ice_credential(std::string_view s, size_t min_length) {
  return s.size() >= min_length && s.size() <= 256 &&
         std::ranges::all_of(s, [](unsigned char c) { return std::isalnum(c) || c == '+' || c == '/'; });
}

// The candidate text after "candidate:", or nullopt if it is too short to be one
// (RFC 8839 5.1: foundation, component, transport, priority, address, port, "typ", type).
std::optional<std::string> normalized_candidate(std::string_view value) {
  value = trim(value);
  if (value.starts_with("a=")) value.remove_prefix(2);
  if (value.starts_with(kCandidatePrefix)) value.remove_prefix(kCandidatePrefix.size());
  auto fields = pieces(value, ' ');
  if (fields.size() < 8 || fields[6] != "typ") return std::nullopt;
  return std::string(kCandidatePrefix) + std::string(value);
}

std::string ice_ufrag_of(const SessionDescription& sd, const MediaDescription& m) {
  const Attribute* a = media_or_session(sd, m, "ice-ufrag");
  return a ? std::string(trim(a->value)) : std::string();
}

void add_candidates(const std::vector<Attribute>& attributes, std::vector<std::string>& out) {
  for (const Attribute& a : attributes) {
    if (a.name != "candidate") continue;
    auto c = normalized_candidate(a.value);
    if (c && std::ranges::find(out, *c) == out.end()) out.push_back(std::move(*c));
  }
}

// Our preference among several a=fingerprint lines: sha-256 (every WebRTC peer
// has it, RFC 8827), else the first well-formed one.
std::string chosen_fingerprint(const std::vector<Attribute>& attributes, bool& any_present) {
  std::string first;
  for (const Attribute& a : attributes) {
    if (a.name != "fingerprint") continue;
    any_present = true;
    std::string f = normalized_fingerprint(a.value);
    if (f.starts_with("sha-256 ")) return f;
    if (first.empty()) first = std::move(f);
  }
  return first;
}

}  // namespace

std::string normalized_fingerprint(std::string_view value) {
  auto fields = pieces(value, ' ');
  if (fields.size() != 2) return {};
  struct Hash { std::string_view name; size_t bytes; };
  static constexpr Hash kHashes[] = {{"sha-1", 20}, {"sha-224", 28}, {"sha-256", 32}, {"sha-384", 48}, {"sha-512", 64}};
  auto hash = std::ranges::find_if(kHashes, [&](const Hash& h) { return iequals(h.name, fields[0]); });
  std::string_view hex = fields[1];
  if (hash == std::end(kHashes) || hex.size() != hash->bytes * 3 - 1) return {};
  std::string out = std::string(hash->name) + " ";
  for (size_t i = 0; i < hex.size(); ++i) {
    const unsigned char c = hex[i];
    const bool ok = i % 3 == 2 ? c == ':' : std::isxdigit(c) != 0;
    if (!ok) return {};
    out += static_cast<char>(std::toupper(c));
  }
  return out;
}

void add_transport_attributes(MediaDescription& m, const TransportDescription& ours, DtlsSetup setup) {
  auto& a = m.other_attributes;
  a.push_back({"rtcp", "9 IN IP4 0.0.0.0"});  // JSEP's default value: RTCP is muxed
  a.push_back({"ice-ufrag", ours.ice_ufrag});
  a.push_back({"ice-pwd", ours.ice_pwd});
  a.push_back({"fingerprint", ours.fingerprint});
  a.push_back({"setup", setup_name(setup)});
  for (const std::string& candidate : ours.candidates) {
    std::string_view c = trim(candidate);
    if (c.starts_with("a=")) c.remove_prefix(2);
    if (c.starts_with(kCandidatePrefix)) c.remove_prefix(kCandidatePrefix.size());
    if (!c.empty()) a.push_back({"candidate", std::string(c)});
  }
  a.push_back({"end-of-candidates", ""});
}

Result<TransportDescription> read_transport(const SessionDescription& sd, const MediaDescription& tagged,
                                            std::string_view side) {
  const std::string the = "the " + std::string(side);
  TransportDescription t;
  const Attribute* ufrag = media_or_session(sd, tagged, "ice-ufrag");
  const Attribute* pwd = media_or_session(sd, tagged, "ice-pwd");
  if (!ufrag || !pwd) return Error{the + " has no a=ice-ufrag and a=ice-pwd: peercall needs ICE (RFC 8839)"};
  t.ice_ufrag = std::string(trim(ufrag->value));
  t.ice_pwd = std::string(trim(pwd->value));
  if (!valid_ice_credential(t.ice_ufrag, 4)) return Error{the + "'s a=ice-ufrag is malformed"};
  if (!valid_ice_credential(t.ice_pwd, 22)) return Error{the + "'s a=ice-pwd is malformed"};

  bool any_fingerprint = false;
  t.fingerprint = chosen_fingerprint(tagged.other_attributes, any_fingerprint);
  if (!any_fingerprint) t.fingerprint = chosen_fingerprint(sd.attributes, any_fingerprint);
  if (!any_fingerprint) return Error{the + " has no a=fingerprint: peercall only makes encrypted calls"};
  if (t.fingerprint.empty()) return Error{the + "'s a=fingerprint is malformed (expected e.g. sha-256 AB:CD:...)"};

  t.ice_lite = find_attribute(sd.attributes, "ice-lite") != nullptr;
  add_candidates(sd.attributes, t.candidates);
  for (const MediaDescription& m : sd.media) {
    if (ice_ufrag_of(sd, m) == t.ice_ufrag) add_candidates(m.other_attributes, t.candidates);
  }
  return t;
}

Result<DtlsSetup> read_setup(const SessionDescription& sd, const MediaDescription& tagged, std::string_view side) {
  const std::string the = "the " + std::string(side);
  const Attribute* setup = media_or_session(sd, tagged, "setup");
  if (!setup) return Error{the + " has no a=setup: peercall needs a DTLS role (RFC 5763)"};
  std::string_view v = trim(setup->value);
  if (v == "actpass") return DtlsSetup::kActpass;
  if (v == "active") return DtlsSetup::kActive;
  if (v == "passive") return DtlsSetup::kPassive;
  return Error{the + " has a=setup:" + std::string(v) + ": peercall needs active, passive or actpass (RFC 5763)"};
}

}  // namespace peercall
