#pragma once
// From what SDP negotiated to what one PeerConnection is built with: the
// stream table (by MID and SSRC) and the DTLS role and expected fingerprint.
#include <memory>

#include "sdp/offer_answer.hpp"
#include "security/identity.hpp"
#include "transport/peer_connection.hpp"

namespace peercall {

Result<PeerConnectionConfig> connection_config(const Negotiated& negotiated,
                                               const LocalMediaConfig& local,
                                               std::shared_ptr<const Identity> identity);

}  // namespace peercall
