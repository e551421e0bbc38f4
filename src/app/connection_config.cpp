#include "app/connection_config.hpp"

#include "media/frames.hpp"

namespace peercall {
namespace {

StreamConfig stream_config(MediaKind kind, const NegotiatedStream& n, uint32_t clock_rate,
                           uint32_t local_ssrc) {
  StreamConfig s;
  s.kind = kind;
  s.mid = n.mid;
  s.send = n.enabled && n.send;
  s.receive = n.enabled && n.receive;
  s.payload_type = n.codec.payload_type;
  s.clock_rate = clock_rate;
  s.local_ssrc = local_ssrc;
  s.remote_ssrc = n.remote_ssrc;
  s.nack = n.nack;
  s.rtx_payload_type = n.rtx_payload_type;
  return s;
}

}  // namespace

Result<PeerConnectionConfig> connection_config(const Negotiated& negotiated,
                                               const LocalMediaConfig& local,
                                               std::shared_ptr<const Identity> identity) {
  auto expected = Fingerprint::parse(negotiated.remote.fingerprint);
  if (!expected) return Error{"the other side's fingerprint is unusable: " + expected.error()};
  PeerConnectionConfig c;
  for (const auto& [kind, n, rate, ssrc] :
       {std::tuple{MediaKind::kAudio, &negotiated.audio, kAudioSampleRate, local.audio_ssrc},
        std::tuple{MediaKind::kVideo, &negotiated.video, kVideoClockRate, local.video_ssrc}}) {
    if (!n->enabled || !(n->send || n->receive)) continue;
    StreamConfig s = stream_config(kind, *n, rate, ssrc);
    if (kind == MediaKind::kVideo && s.rtx_payload_type) {
      s.local_rtx_ssrc = local.video_rtx_ssrc;
      s.remote_rtx_ssrc = n->remote_rtx_ssrc;
    }
    if (kind == MediaKind::kVideo && n->fec_payload_type) {
      s.fec_payload_type = n->fec_payload_type;
      s.local_fec_ssrc = n->send ? local.video_fec_ssrc : 0;
      s.remote_fec_ssrc = n->remote_fec_ssrc;
    }
    if (kind == MediaKind::kVideo && n->red_payload_type) {
      s.red_payload_type = n->red_payload_type;
      s.ulpfec_payload_type = n->ulpfec_payload_type;
      s.red_rtx_payload_type = n->red_rtx_payload_type;
    }
    c.session.streams.push_back(std::move(s));
  }
  c.session.cname = local.cname;
  c.session.transport_cc_extension_id = negotiated.transport_cc_id;
  // Start near the cap: most links carry it, and a picture that starts blurred
  // stays so for seconds; a slow link is found within a few feedbacks.
  c.session.start_bitrate_bps = 1'800'000;
  if (negotiated.data.enabled) {
    MessageChannelConfig m;
    m.remote_port = negotiated.data.remote_port;
    m.remote_max_message_size = negotiated.data.remote_max_message_size;
    c.messages = m;
  }
  c.dtls.role = negotiated.dtls_role;
  c.dtls.identity = std::move(identity);
  c.dtls.expected_remote = *expected;
  return c;
}

}  // namespace peercall
