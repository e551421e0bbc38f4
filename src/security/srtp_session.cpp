#include "security/srtp_session.hpp"

#include <srtp2/srtp.h>
#include <string.h>  // explicit_bzero

#include <string>

#include "security/srtp_library.hpp"

namespace peercall {
namespace {

constexpr size_t kRtpHeaderLength = 12;
constexpr size_t kRtcpHeaderLength = 8;
// No datagram is larger; keeps every length well inside libsrtp's int.
constexpr size_t kMaxPacketLength = 65536;
// Room srtp_protect_rtcp may write: tag, MKI and the 4-byte E-flag/index word.
constexpr size_t kRtcpTrailerRoom = SRTP_MAX_TRAILER_LEN + 4;
// Reordering and retransmission arrive late; 1024 packets is ~1 s of 720p video.
constexpr unsigned long kReplayWindow = 1024;

const char* const kAuthFailed = "srtp: authentication failed";
const char* const kReplayed = "srtp: replayed packet";
const char* const kMalformed = "srtp: malformed packet";

bool has_version_2(const Bytes& packet) { return (packet[0] >> 6) == 2; }

const char* profile_name(SrtpProfile profile) {
  return profile == SrtpProfile::kAeadAes128Gcm ? "AEAD_AES_128_GCM"
                                                : "AES_CM_128_HMAC_SHA1_80";
}

std::string protect_failure(const char* what, srtp_err_status_t status) {
  const char* reason = "libsrtp refused it";
  switch (status) {
    case srtp_err_status_bad_param: reason = "header overruns the packet"; break;
    case srtp_err_status_replay_fail:
    case srtp_err_status_replay_old: reason = "sequence number already protected"; break;
    case srtp_err_status_key_expired: reason = "key usage limit reached"; break;
    default: break;
  }
  return std::string("srtp: cannot protect ") + what + ": " + reason + " (libsrtp status " +
         std::to_string(static_cast<int>(status)) + ")";
}

// One direction's libsrtp context: every SSRC of that direction shares the key.
Result<srtp_t> create_context(SrtpProfile profile, const Bytes& key_and_salt,
                              srtp_ssrc_type_t direction) {
  srtp_policy_t policy{};
  if (profile == SrtpProfile::kAeadAes128Gcm) {
    // RFC 7714: the same AEAD transform (16-byte tag) protects SRTCP too.
    srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtp);
    srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtcp);
  } else {
    srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtp);
    srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtcp);
  }
  policy.ssrc.type = direction;
  policy.ssrc.value = 0;
  // libsrtp derives the session keys inside srtp_create and keeps no pointer
  // to this copy, which is wiped right after.
  Bytes key = key_and_salt;
  policy.key = key.data();
  policy.window_size = kReplayWindow;
  policy.allow_repeat_tx = 0;  // inbound: replays refused; outbound: no keystream reuse
  policy.next = nullptr;

  srtp_t context = nullptr;
  srtp_err_status_t status = srtp_create(&context, &policy);
  explicit_bzero(key.data(), key.size());
  if (status != srtp_err_status_ok) {
    if (context) srtp_dealloc(context);
    return Error(std::string("srtp: cannot create ") +
                 (direction == ssrc_any_outbound ? "outbound" : "inbound") + " context for " +
                 profile_name(profile) + " (libsrtp status " +
                 std::to_string(static_cast<int>(status)) + ")");
  }
  return context;
}

}  // namespace

size_t SrtpSession::key_material_length(SrtpProfile profile) {
  return profile == SrtpProfile::kAeadAes128Gcm ? SRTP_AES_GCM_128_KEY_LEN_WSALT
                                                : SRTP_AES_ICM_128_KEY_LEN_WSALT;
}

Result<std::unique_ptr<SrtpSession>> SrtpSession::create(const SrtpKeyMaterial& keys) {
  const size_t expected = key_material_length(keys.profile);
  if (keys.local.size() != expected || keys.remote.size() != expected)
    return Error(std::string("srtp: ") + profile_name(keys.profile) + " needs " +
                 std::to_string(expected) + " bytes of master key and salt per direction (got " +
                 std::to_string(keys.local.size()) + " local, " +
                 std::to_string(keys.remote.size()) + " remote)");
  if (auto ready = ensure_srtp_library(); !ready) return Error(ready.error());

  auto outbound = create_context(keys.profile, keys.local, ssrc_any_outbound);
  if (!outbound) return Error(outbound.error());
  auto inbound = create_context(keys.profile, keys.remote, ssrc_any_inbound);
  if (!inbound) {
    srtp_dealloc(*outbound);
    return Error(inbound.error());
  }
  return std::unique_ptr<SrtpSession>(new SrtpSession(keys.profile, *outbound, *inbound));
}

SrtpSession::SrtpSession(SrtpProfile profile, srtp_ctx_t_* outbound, srtp_ctx_t_* inbound)
    : profile_(profile), outbound_(outbound), inbound_(inbound) {}

SrtpSession::~SrtpSession() {
  srtp_dealloc(outbound_);
  srtp_dealloc(inbound_);
}

Result<Done> SrtpSession::protect_rtp(Bytes& packet) {
  const size_t plain = packet.size();
  if (plain < kRtpHeaderLength) return Error("srtp: cannot protect RTP: shorter than a header");
  if (plain > kMaxPacketLength) return Error("srtp: cannot protect RTP: packet too large");
  // srtp_protect writes the tag past the end: give it that room, then trim.
  packet.resize(plain + SRTP_MAX_TRAILER_LEN);
  int length = static_cast<int>(plain);
  srtp_err_status_t status = srtp_protect(outbound_, packet.data(), &length);
  if (status != srtp_err_status_ok) {
    packet.resize(plain);
    return Error(protect_failure("RTP", status));
  }
  packet.resize(static_cast<size_t>(length));
  ++stats_.protected_rtp;
  return Done{};
}

Result<Done> SrtpSession::protect_rtcp(Bytes& packet) {
  const size_t plain = packet.size();
  if (plain < kRtcpHeaderLength) return Error("srtp: cannot protect RTCP: shorter than a header");
  if (plain > kMaxPacketLength) return Error("srtp: cannot protect RTCP: packet too large");
  packet.resize(plain + kRtcpTrailerRoom);
  int length = static_cast<int>(plain);
  srtp_err_status_t status = srtp_protect_rtcp(outbound_, packet.data(), &length);
  if (status != srtp_err_status_ok) {
    packet.resize(plain);
    return Error(protect_failure("RTCP", status));
  }
  packet.resize(static_cast<size_t>(length));
  ++stats_.protected_rtcp;
  return Done{};
}

Result<Done> SrtpSession::unprotect_rtp(Bytes& packet) {
  // libsrtp reads the fixed header before anything else: never hand it less.
  if (packet.size() < kRtpHeaderLength || packet.size() > kMaxPacketLength ||
      !has_version_2(packet)) {
    ++stats_.malformed;
    return Error(kMalformed);
  }
  int length = static_cast<int>(packet.size());
  srtp_err_status_t status = srtp_unprotect(inbound_, packet.data(), &length);
  if (status != srtp_err_status_ok) return count_refusal(status);
  packet.resize(static_cast<size_t>(length));
  ++stats_.unprotected_rtp;
  return Done{};
}

Result<Done> SrtpSession::unprotect_rtcp(Bytes& packet) {
  if (packet.size() < kRtcpHeaderLength || packet.size() > kMaxPacketLength ||
      !has_version_2(packet)) {
    ++stats_.malformed;
    return Error(kMalformed);
  }
  int length = static_cast<int>(packet.size());
  srtp_err_status_t status = srtp_unprotect_rtcp(inbound_, packet.data(), &length);
  if (status != srtp_err_status_ok) return count_refusal(status);
  packet.resize(static_cast<size_t>(length));
  ++stats_.unprotected_rtcp;
  return Done{};
}

Result<Done> SrtpSession::count_refusal(int libsrtp_status) {
  switch (static_cast<srtp_err_status_t>(libsrtp_status)) {
    case srtp_err_status_auth_fail:
    case srtp_err_status_cipher_fail:  // AEAD: the cipher is what checks the tag
      ++stats_.auth_failures;
      return Error(kAuthFailed);
    case srtp_err_status_replay_fail:
    case srtp_err_status_replay_old:
      ++stats_.replays;
      return Error(kReplayed);
    default:  // bad_param, parse_err, no_ctx, bad_mki, key_expired...
      ++stats_.malformed;
      return Error(kMalformed);
  }
}

}  // namespace peercall
