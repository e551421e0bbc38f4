#pragma once
// What a session hands back to its driver: datagrams to send and events.
#include <string>
#include <variant>

#include "core/bytes.hpp"
#include "core/time.hpp"
#include "media/frames.hpp"

namespace peercall {

struct Transmit {
  Bytes datagram;
};

// A complete H.264 access unit, ready to decode. capture_time is the
// sender's capture instant mapped onto our clock (see RtpTimeMapper).
struct VideoReceived {
  std::string mid;  // the m-line it came on
  EncodedFrame frame;
};

// One Opus packet. `lost_before` counts 20 ms frames missing just before it,
// for the decoder to conceal.
struct AudioReceived {
  std::string mid;
  EncodedFrame frame;
  uint32_t lost_before = 0;
  uint16_t sequence = 0;  // the RTP sequence number, for the jitter buffer
};

struct KeyframeRequested {  // the peer's decoder needs an IDR (RTCP PLI)
  std::string mid;
};
struct PeerHungUp {};         // RTCP BYE
// Nothing heard for SessionConfig::peer_timeout: the peer is gone.
struct PeerTimedOut {
  Duration silent_for{};
};
// Nothing heard for SessionConfig::peer_quiet (quiet = true), or heard again
// after that (quiet = false; silent_for = how long it lasted). The call goes
// on meanwhile: a link that drops out for a few seconds comes back.
struct PeerQuiet {
  bool quiet = true;
  Duration silent_for{};
};

// The secure channel is up: keys agreed with the peer whose certificate has
// this fingerprint ("sha-256 AB:..."), media flows from now on.
struct Connected {
  std::string remote_fingerprint;
};
// The channel failed (handshake timeout, wrong certificate, fatal alert): one line why.
struct ConnectionFailed {
  std::string reason;
};

// One text message on the call's data channel ("peercall": chat and state,
// JSON, see src/chat). Carried by PeerConnection, not by the RTP session.
struct PeerMessage {
  std::string text;
};
// The bandwidth estimate moved (by more than 5%, or a second passed): what
// the encoders may use now, bit/s. `video_bps` is what is left for the video
// encoder (set_bitrate) after audio, the FEC share and header overhead;
// `total_bps` is the whole estimate. Only with transport-wide congestion
// control negotiated (SessionConfig::transport_cc_extension_id).
struct TargetBitrate {
  int video_bps = 0;
  int total_bps = 0;
  // The capacity collapsed under a full queue: send no video for this long
  // (the queue drains; raw frames are dropped before the encoder), then a
  // keyframe, which then reaches the peer instead of the queue's tail.
  Duration pause_video{};
  // The queue drained before pause_video ran out: video again now (a keyframe first).
  bool resume_video = false;
};

using SessionEvent = std::variant<VideoReceived, AudioReceived, KeyframeRequested, PeerHungUp,
                                  PeerTimedOut, PeerQuiet, Connected, ConnectionFailed, PeerMessage,
                                  TargetBitrate>;
using SessionOutput = std::variant<Transmit, SessionEvent>;

}  // namespace peercall
