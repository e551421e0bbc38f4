#include "sdp/offer_answer.hpp"

#include <algorithm>
#include <cctype>
#include <optional>
#include <string_view>
#include <vector>

#include "sdp/sdp_tokens.hpp"

namespace peercall {
namespace {

using sdp_tokens::iequals;
using sdp_tokens::pieces;

// JSEP: no address in c= or the port, the candidates carry them (RFC 8829 5.2.1).
constexpr const char* kNoAddress = "0.0.0.0";
constexpr uint16_t kNoPort = 9;

// Plain RTP profiles: the peer wants media in the clear.
bool is_unencrypted_rtp(std::string_view protocol) {
  return protocol == "RTP/AVP" || protocol == "RTP/AVPF";
}

// A port-0 m-line is disabled unless it is only waiting for BUNDLE (RFC 8843 6).
bool is_disabled(const MediaDescription& m) {
  return m.port == 0 && std::ranges::none_of(m.other_attributes, [](const Attribute& a) {
           return a.name == "bundle-only";
         });
}

std::string describe(std::string_view side, const MediaDescription& m) {
  std::string s = "the " + std::string(side) + "'s " + m.kind + " m-line";
  if (!m.mid.empty()) s += " (mid " + m.mid + ")";
  return s;
}

// The media SSRC: the first one that is not a repair stream (the second and later
// members of an a=ssrc-group such as "FID <media> <rtx>").
uint32_t primary_ssrc(const MediaDescription& m) {
  std::vector<std::string_view> repair;
  for (const Attribute& a : m.other_attributes) {
    if (a.name != "ssrc-group") continue;
    auto members = pieces(a.value, ' ');
    if (members.size() > 2) repair.insert(repair.end(), members.begin() + 2, members.end());
  }
  for (uint32_t ssrc : m.ssrcs) {
    if (std::ranges::find(repair, std::to_string(ssrc)) == repair.end()) return ssrc;
  }
  return 0;
}

NegotiatedStream* stream_of(Negotiated& n, std::string_view kind) {
  if (kind == "audio") return &n.audio;
  if (kind == "video") return &n.video;
  return nullptr;
}

// The a=msid stream id: an RFC 8830 token (at most 64 token-chars), so that a
// browser creates the remote tracks inside one MediaStream.
std::string msid_stream(const std::string& cname) {
  std::string id = cname.starts_with("peercall") ? cname : "peercall-" + cname;
  std::erase_if(id, [](unsigned char c) {
    return !std::isalnum(c) && std::string_view("!#$%&'*+-.^_`{|}~").find(c) == std::string_view::npos;
  });
  if (id.size() > 64) id.resize(64);
  return id;
}

// The RTX SSRC paired with `media` by an a=ssrc-group:FID line, or 0.
uint32_t rtx_ssrc_of(const MediaDescription& m, uint32_t media) {
  if (media == 0) return 0;
  for (const Attribute& a : m.other_attributes) {
    if (a.name != "ssrc-group") continue;
    auto members = pieces(a.value, ' ');
    if (members.size() != 3 || members[0] != "FID" || members[1] != std::to_string(media)) continue;
    for (uint32_t ssrc : m.ssrcs)
      if (std::to_string(ssrc) == members[2]) return ssrc;
  }
  return 0;
}

// The loss-recovery half of a negotiated video stream: `m` is the remote
// m-line (for its SSRCs), `rtx` the agreed RTX entry (or null).
void set_recovery(NegotiatedStream& n, const MediaDescription& remote, const Codec* rtx) {
  n.nack = has_generic_nack(n.codec);
  n.rtx_payload_type = rtx ? rtx->payload_type : 0;
  n.remote_rtx_ssrc = rtx ? rtx_ssrc_of(remote, n.remote_ssrc) : 0;
}

// Our m-line for one stream; SSRCs and msid are declared only for what we
// send. With `rtx`, video declares its RTX SSRC too, grouped with the media one.
MediaDescription local_media(const std::string& kind, const std::string& mid, Codec codec,
                             std::optional<Codec> rtx, bool send, bool receive, uint32_t ssrc,
                             const LocalMediaConfig& local, DtlsSetup setup) {
  MediaDescription m;
  m.kind = kind;
  m.port = kNoPort;
  m.protocol = kSrtpProtocol;
  m.connection_address = kNoAddress;
  m.codecs.push_back(std::move(codec));
  if (rtx) m.codecs.push_back(std::move(*rtx));
  m.direction = direction_from(send, receive);
  m.mid = mid;
  m.rtcp_mux = true;
  add_transport_attributes(m, local.transport, setup);
  if (send && ssrc != 0) {
    m.cname = local.cname.empty() ? "peercall" : local.cname;  // without a cname the SSRC can't be written
    const std::string msid = msid_stream(m.cname) + " " + kind;
    m.ssrcs.push_back(ssrc);
    m.other_attributes.push_back({"msid", msid});
    const uint32_t rtx_ssrc = m.codecs.size() > 1 ? local.video_rtx_ssrc : 0;
    if (rtx_ssrc != 0) {
      m.ssrcs.push_back(rtx_ssrc);
      m.other_attributes.push_back({"ssrc-group", "FID " + std::to_string(ssrc) + " " + std::to_string(rtx_ssrc)});
    }
    for (uint32_t s : m.ssrcs) m.other_attributes.push_back({"ssrc", std::to_string(s) + " msid:" + msid});
  }
  return m;
}

SessionDescription local_session(const LocalMediaConfig& local) {
  SessionDescription sd;
  // Sans-I/O, so no clock or RNG here: the SSRCs are random per call already.
  sd.session_id = (uint64_t{local.audio_ssrc} << 32 | local.video_ssrc) & INT64_MAX;
  sd.session_version = 1;
  sd.origin_address = "127.0.0.1";  // JSEP: not meaningful; browsers write this
  sd.session_name = "-";
  return sd;
}

// A refused m-line keeps its mid and formats (RFC 3264 requires at least one) with port 0.
MediaDescription rejected(const MediaDescription& offered) {
  MediaDescription m;
  m.kind = offered.kind;
  m.protocol = offered.protocol;
  m.connection_address = kNoAddress;
  m.formats = offered.formats;
  for (const Codec& c : offered.codecs) m.codecs.push_back({c.payload_type, c.name, c.clock_rate, c.channels});
  m.direction = Direction::kInactive;
  m.mid = offered.mid;
  return m;
}

// The mids of each a=group:BUNDLE line, in order.
std::vector<std::vector<std::string_view>> bundle_groups(const SessionDescription& sd) {
  std::vector<std::vector<std::string_view>> groups;
  for (const Attribute& a : sd.attributes) {
    auto tokens = pieces(a.value, ' ');
    if (a.name != "group" || tokens.empty() || tokens[0] != "BUNDLE") continue;
    groups.emplace_back(tokens.begin() + 1, tokens.end());
  }
  return groups;
}

// The BUNDLE group holding every accepted m-line (by mid), or an Error naming
// the first one left out.
Result<std::vector<std::string_view>> covering_bundle(const SessionDescription& sd,
                                                      const std::vector<const MediaDescription*>& accepted,
                                                      std::string_view side) {
  const std::string the = "the " + std::string(side);
  auto groups = bundle_groups(sd);
  if (groups.empty()) return Error{the + " has no a=group:BUNDLE: peercall sends all media on one transport"};
  const MediaDescription& first = *accepted.front();
  auto group = std::ranges::find_if(groups, [&](const auto& g) {
    return !first.mid.empty() && std::ranges::find(g, first.mid) != g.end();
  });
  for (const MediaDescription* m : accepted) {
    if (group == groups.end() || m->mid.empty() || std::ranges::find(*group, m->mid) == group->end())
      return Error{describe(side, *m) + " is not in its a=group:BUNDLE: peercall sends all media on one transport"};
  }
  return *group;
}

// The accepted m-line of `group`'s first accepted mid: it carries the bundle's transport.
const MediaDescription* bundle_tag(const std::vector<std::string_view>& group,
                                   const std::vector<const MediaDescription*>& accepted) {
  for (std::string_view mid : group) {
    for (const MediaDescription* m : accepted) {
      if (m->mid == mid) return m;
    }
  }
  return accepted.front();
}

Result<Done> require_rtcp_mux(const std::vector<const MediaDescription*>& accepted, std::string_view side) {
  for (const MediaDescription* m : accepted) {
    if (!m->rtcp_mux && !is_data_channel(*m))
      return Error{describe(side, *m) + " has no a=rtcp-mux: peercall sends RTP and RTCP on one port"};
  }
  return Done{};
}

}  // namespace

SessionDescription create_offer(const LocalMediaConfig& local) {
  SessionDescription sd = local_session(local);
  sd.attributes.push_back({"group", local.data_channel ? "BUNDLE 0 1 2" : "BUNDLE 0 1"});
  sd.media.push_back(local_media("audio", "0", our_opus_codec(), std::nullopt, local.send_audio,
                                 local.recv_audio, local.audio_ssrc, local, DtlsSetup::kActpass));
  std::optional<Codec> rtx;
  if (local.video_rtx_ssrc != 0) rtx = our_h264_rtx_codec();
  sd.media.push_back(local_media("video", "1", our_h264_codec(), rtx, local.send_video,
                                 local.recv_video, local.video_ssrc, local, DtlsSetup::kActpass));
  if (local.video_fec_ssrc != 0)
    add_flexfec(sd.media[1], kFlexFecPayloadType, local.send_video ? local.video_ssrc : 0,
                local.send_video ? local.video_fec_ssrc : 0);
  if (local.transport_cc)
    for (MediaDescription& m : sd.media) add_transport_cc(m, kTransportCcExtensionId);
  if (local.data_channel) sd.media.push_back(data_channel_media("2", local.transport, DtlsSetup::kActpass));
  return sd;
}

Result<std::pair<SessionDescription, Negotiated>> create_answer(const SessionDescription& offer,
                                                                const LocalMediaConfig& local) {
  Negotiated negotiated;
  // Which m-line carries each kind, with which codec (one stream per kind).
  std::vector<const Codec*> chosen(offer.media.size(), nullptr);
  std::vector<const MediaDescription*> accepted;
  bool unencrypted_offered = false;
  for (size_t i = 0; i < offer.media.size(); ++i) {
    const MediaDescription& om = offer.media[i];
    if (local.data_channel && !negotiated.data.enabled && is_data_channel(om)) {
      negotiated.data = read_data_channel(om);
      accepted.push_back(&om);
      continue;
    }
    NegotiatedStream* stream = stream_of(negotiated, om.kind);
    if (!stream || stream->enabled || is_disabled(om)) continue;
    if (om.protocol != kSrtpProtocol) {
      unencrypted_offered = unencrypted_offered || is_unencrypted_rtp(om.protocol);
      continue;
    }
    chosen[i] = choose_offered_codec(om);
    if (!chosen[i]) continue;
    stream->enabled = true;
    accepted.push_back(&om);
  }
  const bool media_accepted = negotiated.audio.enabled || negotiated.video.enabled;
  if (!media_accepted && unencrypted_offered)
    return Error{"the other side offers unencrypted RTP (RTP/AVP): peercall only makes encrypted calls "
                 "(UDP/TLS/RTP/SAVPF)"};
  if (!media_accepted) return Error{"sdp: no common codec"};

  // Encryption and ICE first: their errors say more than a missing BUNDLE.
  auto group = covering_bundle(offer, accepted, "offer");
  const MediaDescription& tag = group ? *bundle_tag(*group, accepted) : *accepted.front();
  auto remote = read_transport(offer, tag, "offer");
  if (!remote) return Error{remote.error()};
  auto setup = read_setup(offer, tag, "offer");
  if (!setup) return Error{setup.error()};
  if (auto mux = require_rtcp_mux(accepted, "offer"); !mux) return Error{mux.error()};
  if (!group) return Error{group.error()};

  negotiated.remote = std::move(*remote);
  negotiated.dtls_role = *setup == DtlsSetup::kActpass ? local.answerer_dtls_role
                         : *setup == DtlsSetup::kActive ? DtlsRole::kServer
                                                        : DtlsRole::kClient;
  const DtlsSetup our_setup = negotiated.dtls_client() ? DtlsSetup::kActive : DtlsSetup::kPassive;

  SessionDescription answer = local_session(local);
  std::string bundle = "BUNDLE";
  for (std::string_view mid : *group) {
    if (std::ranges::any_of(accepted, [&](const MediaDescription* m) { return m->mid == mid; })) {
      negotiated.bundle_mids.emplace_back(mid);
      bundle += " " + std::string(mid);
    }
  }
  answer.attributes.push_back({"group", bundle});

  // Transport-wide congestion control: the offer's id, if every accepted RTP m-line has it.
  if (local.transport_cc) {
    for (size_t i = 0; i < offer.media.size(); ++i) {
      if (!chosen[i]) continue;
      const uint8_t id = transport_cc_id(offer.media[i]);
      if (id == 0 || (negotiated.transport_cc_id != 0 && id != negotiated.transport_cc_id)) {
        negotiated.transport_cc_id = 0;
        break;
      }
      negotiated.transport_cc_id = id;
    }
  }
  for (size_t i = 0; i < offer.media.size(); ++i) {
    const MediaDescription& om = offer.media[i];
    if (negotiated.data.enabled && is_data_channel(om) && om.mid == negotiated.data.mid) {
      answer.media.push_back(data_channel_media(om.mid, local.transport, our_setup));
      continue;
    }
    if (!chosen[i]) {
      answer.media.push_back(rejected(om));
      continue;
    }
    const bool audio = om.kind == "audio";
    // Mirror the offer: we can send only what it receives, and vice versa.
    const bool send = receives(om.direction) && (audio ? local.send_audio : local.send_video);
    const bool receive = sends(om.direction) && (audio ? local.recv_audio : local.recv_video);
    Codec codec = answer_codec(om.kind, *chosen[i]);
    const Codec* rtx = !audio && local.video_rtx_ssrc != 0 ? find_rtx_codec(om, chosen[i]->payload_type) : nullptr;
    std::optional<Codec> answered_rtx;
    if (rtx) answered_rtx = Codec{rtx->payload_type, rtx->name, rtx->clock_rate, 1, rtx->fmtp, {}};
    answer.media.push_back(local_media(om.kind, om.mid, codec, answered_rtx, send, receive,
                                       audio ? local.audio_ssrc : local.video_ssrc, local, our_setup));
    if (negotiated.transport_cc_id != 0) add_transport_cc(answer.media.back(), negotiated.transport_cc_id);
    NegotiatedStream& n = *stream_of(negotiated, om.kind);
    n = {true, std::move(codec), send, receive, primary_ssrc(om), om.mid};
    if (!audio) set_recovery(n, om, rtx);
    if (const Codec* fec = !audio && local.video_fec_ssrc != 0 ? find_flexfec(om) : nullptr) {
      add_flexfec(answer.media.back(), fec->payload_type, send ? local.video_ssrc : 0, send ? local.video_fec_ssrc : 0);
      n.fec_payload_type = fec->payload_type;
      n.remote_fec_ssrc = fec_ssrc_of(om, n.remote_ssrc);
    } else if (auto red = !audio && local.video_fec_ssrc != 0 ? find_red_ulpfec(om, rtx != nullptr) : std::nullopt) {
      std::vector<Codec>& codecs = answer.media.back().codecs;
      for (const Codec* c : {red->red, red->red_rtx, red->ulpfec})
        if (c) codecs.push_back(Codec{c->payload_type, c->name, c->clock_rate, 1, c->fmtp, {}});
      n.red_payload_type = red->red->payload_type;
      n.ulpfec_payload_type = red->ulpfec->payload_type;
      n.red_rtx_payload_type = red->red_rtx ? red->red_rtx->payload_type : 0;
    }
  }
  return std::pair{std::move(answer), std::move(negotiated)};
}

Result<Negotiated> apply_answer(const SessionDescription& offer, const SessionDescription& answer) {
  if (offer.media.size() != answer.media.size()) return Error{"sdp: answer m-line count mismatch"};
  Negotiated negotiated;
  std::vector<const MediaDescription*> accepted;
  for (size_t i = 0; i < offer.media.size(); ++i) {
    const MediaDescription& om = offer.media[i];
    const MediaDescription& am = answer.media[i];
    if (om.kind != am.kind || om.protocol != am.protocol) return Error{"sdp: answer m-line mismatch"};
    if (!om.mid.empty() && !am.mid.empty() && om.mid != am.mid) return Error{"sdp: answer mid mismatch"};
    if (am.port == 0) continue;  // rejected
    accepted.push_back(&am);
    if (is_data_channel(am)) {
      if (!negotiated.data.enabled) negotiated.data = read_data_channel(am);
      continue;
    }
    if (is_rtp_protocol(am.protocol) && am.codecs.empty()) return Error{"sdp: answer codec not offered"};
    for (const Codec& ac : am.codecs) {
      auto oc = std::ranges::find_if(om.codecs, [&](const Codec& c) { return c.payload_type == ac.payload_type; });
      if (oc == om.codecs.end() || (!ac.name.empty() && !iequals(ac.name, oc->name)))
        return Error{"sdp: answer codec not offered"};
    }
    NegotiatedStream* stream = stream_of(negotiated, am.kind);
    const Codec* codec = first_supported_codec(am);
    if (!stream || stream->enabled || !codec) continue;
    *stream = {true, *codec, sends(om.direction) && receives(am.direction),
               receives(om.direction) && sends(am.direction), primary_ssrc(am), am.mid};
    if (am.kind == "video") {
      set_recovery(*stream, am, find_rtx_codec(am, codec->payload_type));
      if (const Codec* fec = find_flexfec(am)) {
        stream->fec_payload_type = fec->payload_type;
        stream->remote_fec_ssrc = fec_ssrc_of(am, stream->remote_ssrc);
      }
    }
  }
  if (!negotiated.audio.enabled && !negotiated.video.enabled) return Error{"sdp: no common codec"};

  // Encryption and ICE first: their errors say more than a missing BUNDLE.
  auto group = covering_bundle(answer, accepted, "answer");
  const MediaDescription& tag = group ? *bundle_tag(*group, accepted) : *accepted.front();
  auto remote = read_transport(answer, tag, "answer");
  if (!remote) return Error{remote.error()};
  auto setup = read_setup(answer, tag, "answer");
  if (!setup) return Error{setup.error()};
  if (*setup == DtlsSetup::kActpass)
    return Error{"the answer has a=setup:actpass: an answer must choose active or passive (RFC 5763)"};
  if (auto mux = require_rtcp_mux(accepted, "answer"); !mux) return Error{mux.error()};
  if (!group) return Error{group.error()};

  negotiated.remote = std::move(*remote);
  negotiated.dtls_role = *setup == DtlsSetup::kActive ? DtlsRole::kServer : DtlsRole::kClient;
  // transport-cc: what the answer kept of our offer, on every accepted RTP m-line.
  for (const MediaDescription* m : accepted) {
    if (is_data_channel(*m)) continue;
    const uint8_t id = transport_cc_id(*m);
    if (id == 0 || (negotiated.transport_cc_id != 0 && id != negotiated.transport_cc_id)) {
      negotiated.transport_cc_id = 0;
      break;
    }
    negotiated.transport_cc_id = id;
  }
  for (std::string_view mid : *group) {
    if (std::ranges::any_of(accepted, [&](const MediaDescription* m) { return m->mid == mid; }))
      negotiated.bundle_mids.emplace_back(mid);
  }
  return negotiated;
}

}  // namespace peercall
