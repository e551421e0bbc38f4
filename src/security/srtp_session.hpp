#pragma once
// SRTP and SRTCP protection (RFC 3711; AEAD GCM per RFC 7714) for one
// DTLS-SRTP association, on top of libsrtp2. Sans-I/O: packets go in and come
// out in the same buffer; nothing here reads a clock or touches a socket.
//
// One session covers every SSRC in a BUNDLE: the outbound context accepts any
// SSRC we send (ssrc_any_outbound, local key) and the inbound one any SSRC the
// peer sends (ssrc_any_inbound, remote key). libsrtp only creates the state
// for a new inbound SSRC once a packet on it has authenticated, so a forged
// packet cannot latch a stream or its sequence numbers.
//
// Replay protection: a 1024-packet window for SRTP (room for reordering and
// late retransmissions), libsrtp's fixed 128-packet window for SRTCP; a packet
// seen before, or older than the window, is refused. Outbound, protecting the
// same sequence number twice is refused too (it would reuse keystream):
// retransmit the protected bytes you kept, or use RTX.
//
// Not thread-safe: one owner (the network loop) calls it.
#include <cstdint>
#include <memory>

#include "core/bytes.hpp"
#include "core/result.hpp"
#include "security/srtp_profile.hpp"

struct srtp_ctx_t_;  // libsrtp2's session type, kept out of this header

namespace peercall {

class SrtpSession {
 public:
  // Master key || master salt lengths each profile needs (local and remote).
  static size_t key_material_length(SrtpProfile profile);

  // Fails on key material of the wrong length or if libsrtp refuses the policy.
  static Result<std::unique_ptr<SrtpSession>> create(const SrtpKeyMaterial& keys);
  ~SrtpSession();
  SrtpSession(const SrtpSession&) = delete;
  SrtpSession& operator=(const SrtpSession&) = delete;

  // In place: encrypts and appends the auth tag (SRTCP: the E-flag/index word
  // and the tag). Error on a packet libsrtp refuses (too short, a header that
  // overruns the packet, a sequence number protected before).
  Result<Done> protect_rtp(Bytes& packet);
  Result<Done> protect_rtcp(Bytes& packet);

  // In place: verifies and decrypts, shrinks to the plain packet. On failure
  // the packet is unspecified and the reason is one of "srtp: authentication
  // failed", "srtp: replayed packet", "srtp: malformed packet"; each is counted.
  Result<Done> unprotect_rtp(Bytes& packet);
  Result<Done> unprotect_rtcp(Bytes& packet);

  struct Stats {
    uint64_t protected_rtp = 0;
    uint64_t protected_rtcp = 0;
    uint64_t unprotected_rtp = 0;
    uint64_t unprotected_rtcp = 0;
    uint64_t auth_failures = 0;  // tag did not verify (forged, corrupted, wrong key)
    uint64_t replays = 0;        // seen before, or older than the replay window
    uint64_t malformed = 0;      // too short or not parseable as SRTP/SRTCP
  };
  Stats stats() const { return stats_; }

  SrtpProfile profile() const { return profile_; }

 private:
  SrtpSession(SrtpProfile profile, srtp_ctx_t_* outbound, srtp_ctx_t_* inbound);
  Result<Done> count_refusal(int libsrtp_status);

  SrtpProfile profile_;
  srtp_ctx_t_* outbound_;
  srtp_ctx_t_* inbound_;
  Stats stats_;
};

}  // namespace peercall
