#pragma once
// RFC 3264 offer/answer for peercall's media: one audio stream (Opus) and one
// video stream (H.264, packetization-mode=1), bundled on one UDP port with RTCP
// muxed. Pure functions: the caller brings the addresses, ports and SSRCs.
#include <cstdint>
#include <string>
#include <utility>

#include "core/result.hpp"
#include "sdp/session_description.hpp"

namespace peercall {

inline constexpr uint8_t kOpusPayloadType = 111;
inline constexpr uint8_t kH264PayloadType = 96;

struct LocalMediaConfig {
  std::string address;  // our media IP as the peer should send to (the one the signalling connection uses)
  uint16_t port = 0;    // our UDP media port (audio and video bundled on it, RTCP muxed)
  bool send_audio = true, recv_audio = true, send_video = true, recv_video = true;
  uint32_t audio_ssrc = 0, video_ssrc = 0;
  std::string cname;
};

// What one side does with one kind of media, from that side's point of view.
struct NegotiatedStream {
  bool enabled = false;  // an m-line of this kind was accepted with a common codec
  Codec codec;           // the answer's codec entry (offerer's payload type)
  bool send = false;
  bool receive = false;
  uint32_t remote_ssrc = 0;  // 0 = unknown
  std::string mid;
};

struct Negotiated {
  std::string remote_address;  // where to send media
  uint16_t remote_port = 0;    // first accepted m-line's port (bundled)
  NegotiatedStream audio, video;
};

// m=audio opus/48000/2 (PT 111) and m=video H264 (PT 96), mids "0"/"1", BUNDLE,
// rtcp-mux, directions from the send/recv flags (neither -> a=inactive).
SessionDescription create_offer(const LocalMediaConfig& local);

// Per offered m-line: the first supported codec (opus/48000, or H264 with
// packetization-mode=1) of the first m-line of each kind, the offerer's payload
// type, the mirrored direction limited by `local`; other m-lines get port 0.
// Error when nothing is accepted or an accepted m-line has no c= address.
Result<std::pair<SessionDescription, Negotiated>> create_answer(const SessionDescription& offer,
                                                                const LocalMediaConfig& local);

// The offerer's side: the answer must keep the offer's m-line count, order, kinds,
// protocols and mids, and only use the offer's payload types.
Result<Negotiated> apply_answer(const SessionDescription& offer, const SessionDescription& answer);

}  // namespace peercall
