#pragma once
// What one peer session needs to know, as negotiated by SDP. Plain data with
// defaults; validated by whoever fills it from the SDP.
#include <cstdint>
#include <string>
#include <vector>

#include "core/time.hpp"
#include "session/loss_recovery_timing.hpp"

namespace peercall {

enum class MediaKind { kAudio, kVideo };
inline const char* to_string(MediaKind k) { return k == MediaKind::kAudio ? "audio" : "video"; }

// One negotiated m-line: a send half, a receive half, or both.
struct StreamConfig {
  MediaKind kind = MediaKind::kVideo;
  std::string mid;
  bool send = false;
  bool receive = false;
  uint8_t payload_type = 0;
  uint32_t clock_rate = 0;
  uint32_t local_ssrc = 0;
  // 0: the SDP did not say; the first packet with this m-line's payload type
  // names it. Only authenticated packets (after SRTP) reach the session, so a
  // stray datagram cannot claim a stream.
  uint32_t remote_ssrc = 0;
  // Video loss recovery. `nack`: both sides do generic NACK (a=rtcp-fb:<pt>
  // nack): we ask for lost packets and answer the peer's asks. RTX (RFC 4588):
  // its payload type (0 = not negotiated: resend the original packet on the
  // media SSRC instead), our RTX SSRC (0 = none) and the peer's (0 = learn it
  // from the first packet with rtx_payload_type).
  bool nack = true;
  uint8_t rtx_payload_type = 0;
  uint32_t local_rtx_ssrc = 0;
  uint32_t remote_rtx_ssrc = 0;
  // FlexFEC (RFC 8627) for video: its payload type (0 = not negotiated), our
  // FEC SSRC and the peer's (0 = learn it from the first FEC packet).
  uint8_t fec_payload_type = 0;
  uint32_t local_fec_ssrc = 0;
  uint32_t remote_fec_ssrc = 0;
  // RED (RFC 2198) with ULPFEC (RFC 5109), as browsers take FEC (instead of
  // FlexFEC; 0 = not negotiated): every video packet we send is a one-block
  // RED packet, repairs are RED blocks of ulpfec_payload_type on the media
  // SSRC, and our RTX uses red_rtx_payload_type (apt=red). RED from the peer
  // is unwrapped; its RTX may come with either RTX payload type.
  uint8_t red_payload_type = 0;
  uint8_t ulpfec_payload_type = 0;
  uint8_t red_rtx_payload_type = 0;
};

// The RTX payload type our retransmissions (and probe padding) go out with.
inline uint8_t sent_rtx_payload_type(const StreamConfig& s) {
  return s.red_payload_type != 0 ? s.red_rtx_payload_type : s.rtx_payload_type;
}

struct SessionConfig {
  std::vector<StreamConfig> streams;  // the stream table, in m-line order
  std::string cname = "peercall";
  size_t max_rtp_payload = 1200;
  Duration rtcp_interval = milliseconds(500);
  // No packet from the peer for peer_quiet: it has gone quiet (said once;
  // media or RTCP flows at least every 500 ms while it is there). For
  // peer_timeout: it is gone (cable cut, process killed) and the call ends.
  // In between the call waits, so that a link that drops out (Wi-Fi
  // roaming, a bad patch) does not end it. Both count only packets that
  // authenticated (SRTP/SRTCP), so a stranger cannot keep us sending.
  Duration peer_quiet = seconds(3);
  Duration peer_timeout = seconds(15);
  // Budgets of NACK/RTX recovery, of the frame assembler's wait for it and
  // of keyframe requests.
  LossRecoveryConfig recovery;
  uint64_t random_seed = 0;  // 0: the caller seeds from a random device
  // Transport-wide congestion control: the negotiated a=extmap id of the
  // transport-wide sequence number (0 = not negotiated: no feedback, no
  // estimate; the encoder keeps its configured rate) and a=rtcp-fb transport-cc.
  uint8_t transport_cc_extension_id = 0;
  // Bounds of the bandwidth estimate (video + audio), bit/s.
  int min_bitrate_bps = 100'000;
  int start_bitrate_bps = 1'000'000;
  int max_bitrate_bps = 2'500'000;
  // Bandwidth probes (with transport-cc and an RTX SSRC for video): short
  // bursts of padding above the estimate, at the start, after a large drop
  // and every few seconds while the encoder sends less than the estimate,
  // so that the estimate finds capacity the media alone never shows.
  bool bandwidth_probing = true;
};

}  // namespace peercall
