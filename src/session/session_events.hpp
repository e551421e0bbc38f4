#pragma once
// What a session hands back to its driver: datagrams to send and events.
#include <variant>

#include "core/bytes.hpp"
#include "media/frames.hpp"

namespace peercall {

struct Transmit {
  Bytes datagram;
};

// A complete H.264 access unit, ready to decode. capture_time is the
// sender's capture instant mapped onto our clock (see RtpTimeMapper).
struct VideoReceived {
  EncodedFrame frame;
};

// One Opus packet. `lost_before` counts 20 ms frames missing just before it,
// for the decoder to conceal.
struct AudioReceived {
  EncodedFrame frame;
  uint32_t lost_before = 0;
};

struct KeyframeRequested {};  // the peer's decoder needs an IDR (RTCP PLI)
struct PeerHungUp {};         // RTCP BYE
struct PeerTimedOut {};       // nothing heard for SessionConfig::peer_timeout

using SessionEvent =
    std::variant<VideoReceived, AudioReceived, KeyframeRequested, PeerHungUp, PeerTimedOut>;
using SessionOutput = std::variant<Transmit, SessionEvent>;

}  // namespace peercall
