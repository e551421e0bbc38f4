#pragma once
// JSEP (RFC 9429) offer/answer for peercall's encrypted call: one audio stream
// (Opus) and one video stream (H.264, packetization-mode=1) over DTLS-SRTP
// (UDP/TLS/RTP/SAVPF) with ICE, bundled on one transport (a=group:BUNDLE) with
// RTCP muxed. Addresses come from the ICE candidates: every m-line says
// `c=IN IP4 0.0.0.0` and port 9. Pure functions: the caller brings the ICE
// credentials, candidates, certificate fingerprint and SSRCs.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/result.hpp"
#include "sdp/call_extras.hpp"
#include "sdp/media_codecs.hpp"
#include "sdp/session_description.hpp"
#include "sdp/transport_attributes.hpp"

namespace peercall {

inline constexpr const char* kSrtpProtocol = "UDP/TLS/RTP/SAVPF";

struct LocalMediaConfig {
  bool send_audio = true, recv_audio = true, send_video = true, recv_video = true;
  uint32_t audio_ssrc = 0, video_ssrc = 0;
  // The SSRC our video retransmissions (RTX) go out on; 0: offer/accept no RTX.
  uint32_t video_rtx_ssrc = 0;
  // The SSRC of our FlexFEC stream; 0: offer/accept no FEC (neither FlexFEC
  // nor, answering a browser, RED + ULPFEC).
  uint32_t video_fec_ssrc = 0;
  std::string cname;  // also names the a=msid stream ("peercall-..." unless it starts so already)
  // Our ICE credentials, gathered candidates and certificate fingerprint.
  TransportDescription transport;
  // The DTLS role we take when answering an offer with a=setup:actpass.
  DtlsRole answerer_dtls_role = DtlsRole::kClient;
  // Offer / accept the chat's data channel and transport-wide congestion control.
  bool data_channel = false;
  bool transport_cc = false;
};

// What one side does with one kind of media, from that side's point of view.
struct NegotiatedStream {
  bool enabled = false;  // an m-line of this kind was accepted with a common codec
  Codec codec;           // the answer's codec entry (offerer's payload type)
  bool send = false;
  bool receive = false;
  uint32_t remote_ssrc = 0;  // 0 = unknown
  std::string mid;
  // Video loss recovery: both sides do generic NACK; the RTX payload type
  // repairing `codec` (0 = none negotiated) and the peer's RTX SSRC (from
  // a=ssrc-group:FID; 0 = unknown, learn it from the first RTX packet).
  bool nack = false;
  uint8_t rtx_payload_type = 0;
  uint32_t remote_rtx_ssrc = 0;
  // FlexFEC: its payload type (0 = none) and the peer's FEC SSRC (0 = learn it).
  uint8_t fec_payload_type = 0;
  uint32_t remote_fec_ssrc = 0;
  // RED + ULPFEC, answered to a browser's offer without FlexFEC (0 = none):
  // the payload types of red, ulpfec and red's RTX.
  uint8_t red_payload_type = 0;
  uint8_t ulpfec_payload_type = 0;
  uint8_t red_rtx_payload_type = 0;
};

struct Negotiated {
  NegotiatedStream audio, video;
  TransportDescription remote;  // the other side's ICE credentials, candidates, fingerprint
  DtlsRole dtls_role = DtlsRole::kClient;  // OUR role
  std::vector<std::string> bundle_mids;    // the answer's a=group:BUNDLE, in order
  NegotiatedDataChannel data;
  uint8_t transport_cc_id = 0;  // the agreed a=extmap id of transport-cc (0 = none)
  bool dtls_client() const { return dtls_role == DtlsRole::kClient; }
};

// m=audio opus/48000/2 (PT 111) and m=video H264 (PT 96, with rtx PT 97 when
// local.video_rtx_ssrc is set), mids "0"/"1", BUNDLE, rtcp-mux,
// a=setup:actpass, our transport on both m-lines, a=msid and a=ssrc on the
// ones we send (video: both SSRCs and a=ssrc-group:FID <media> <rtx>),
// directions from the send/recv flags (neither -> a=inactive).
SessionDescription create_offer(const LocalMediaConfig& local);

// Per offered m-line: the best supported codec of the first encrypted m-line of
// each kind (see choose_offered_codec), the offerer's payload type, the mirrored
// direction limited by `local`, and the offered rtx entry whose apt is the
// chosen H.264 payload type (when local.video_rtx_ssrc is set); other m-lines (a second audio, data channels,
// VP8-only video, ...) get port 0 and keep their mid. The accepted m-lines must
// be in the offer's BUNDLE group, with rtcp-mux, ICE credentials and a
// fingerprint; a=setup:actpass gets local.answerer_dtls_role, active/passive
// the opposite role.
Result<std::pair<SessionDescription, Negotiated>> create_answer(const SessionDescription& offer,
                                                                const LocalMediaConfig& local);

// The offerer's side: the answer must keep the offer's m-line count, order, kinds,
// protocols and mids, only use the offer's payload types, bundle what it accepts,
// and choose a=setup:active (we are then the DTLS server) or passive (client).
Result<Negotiated> apply_answer(const SessionDescription& offer, const SessionDescription& answer);

}  // namespace peercall
