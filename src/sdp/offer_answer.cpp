#include "sdp/offer_answer.hpp"

#include <algorithm>
#include <cctype>
#include <optional>
#include <ranges>
#include <string_view>
#include <vector>

namespace peercall {
namespace {

constexpr const char* kProtocol = "RTP/AVP";  // plain RTP until ICE/DTLS-SRTP arrive
constexpr const char* kOpusFmtp = "minptime=10;useinbandfec=1";
constexpr const char* kH264Fmtp = "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f";
constexpr std::string_view kVideoFeedback[] = {"nack", "nack pli", "ccm fir"};

bool iequals(std::string_view a, std::string_view b) {
  return std::ranges::equal(a, b, [](unsigned char x, unsigned char y) { return std::tolower(x) == std::tolower(y); });
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

// Separator-delimited pieces of `s` (empty pieces skipped).
std::vector<std::string_view> pieces(std::string_view s, char separator) {
  std::vector<std::string_view> out;
  for (auto r : std::views::split(s, separator)) {
    std::string_view piece = trim(std::string_view(r.begin(), r.end()));
    if (!piece.empty()) out.push_back(piece);
  }
  return out;
}

// Value of `key` in an fmtp line such as "a=1; packetization-mode=1".
std::optional<std::string_view> fmtp_parameter(std::string_view fmtp, std::string_view key) {
  for (std::string_view p : pieces(fmtp, ';')) {
    size_t eq = p.find('=');
    if (eq != std::string_view::npos && iequals(trim(p.substr(0, eq)), key)) return trim(p.substr(eq + 1));
  }
  return std::nullopt;
}

// What our codecs can handle: Opus at 48 kHz (any channel count: we decode mono),
// and H.264 fragmented with FU-A (packetization-mode=1), any profile.
bool supported(std::string_view kind, const Codec& c) {
  if (kind == "audio") return iequals(c.name, "opus") && c.clock_rate == 48000;
  if (kind == "video")
    return iequals(c.name, "H264") && c.clock_rate == 90000 && fmtp_parameter(c.fmtp, "packetization-mode") == "1";
  return false;
}

const Codec* first_supported(const MediaDescription& m) {
  if (!is_rtp_protocol(m.protocol)) return nullptr;
  auto it = std::ranges::find_if(m.codecs, [&](const Codec& c) { return supported(m.kind, c); });
  return it == m.codecs.end() ? nullptr : &*it;
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

const std::optional<std::string>& address_of(const SessionDescription& sd, const MediaDescription& m) {
  return m.connection_address ? m.connection_address : sd.connection_address;
}

// Our m-line for one stream; SSRCs are declared only for what we send.
MediaDescription local_media(const std::string& kind, const std::string& mid, Codec codec, bool send, bool receive,
                             uint32_t ssrc, const LocalMediaConfig& local, const std::string& protocol) {
  MediaDescription m;
  m.kind = kind;
  m.port = local.port;
  m.protocol = protocol;
  m.codecs.push_back(std::move(codec));
  m.direction = direction_from(send, receive);
  m.mid = mid;
  m.rtcp_mux = true;
  if (send && ssrc != 0) {
    m.ssrcs.push_back(ssrc);
    m.cname = local.cname.empty() ? "peercall" : local.cname;  // without a cname the SSRC can't be written
  }
  return m;
}

SessionDescription local_session(const LocalMediaConfig& local) {
  SessionDescription sd;
  // Sans-I/O, so no clock or RNG here: the SSRCs are random per call already.
  sd.session_id = (uint64_t{local.audio_ssrc} << 32 | local.video_ssrc) & INT64_MAX;
  sd.session_version = 1;
  sd.origin_address = local.address;
  sd.connection_address = local.address;
  return sd;
}

// A refused m-line keeps its formats (RFC 3264 requires at least one) with port 0.
MediaDescription rejected(const MediaDescription& offered) {
  MediaDescription m;
  m.kind = offered.kind;
  m.protocol = offered.protocol;
  m.formats = offered.formats;
  for (const Codec& c : offered.codecs) m.codecs.push_back({c.payload_type, c.name, c.clock_rate, c.channels});
  m.direction = Direction::kInactive;
  m.mid = offered.mid;
  return m;
}

// The offer's BUNDLE group restricted to the mids we accepted.
std::optional<Attribute> answer_bundle(const SessionDescription& offer, const SessionDescription& answer) {
  for (const Attribute& a : offer.attributes) {
    auto tokens = pieces(a.value, ' ');
    if (a.name != "group" || tokens.empty() || tokens[0] != "BUNDLE") continue;
    std::string value = "BUNDLE";
    for (const MediaDescription& m : answer.media) {
      if (m.port != 0 && !m.mid.empty() && std::ranges::find(tokens, m.mid) != tokens.end()) value += " " + m.mid;
    }
    if (value.size() > 6) return Attribute{"group", value};
  }
  return std::nullopt;
}

// Records the first accepted m-line as where media goes (audio and video are bundled).
void set_remote_transport(Negotiated& n, const std::string& address, uint16_t port) {
  if (n.remote_port != 0) return;
  n.remote_address = address;
  n.remote_port = port;
}

}  // namespace

SessionDescription create_offer(const LocalMediaConfig& local) {
  SessionDescription sd = local_session(local);
  sd.attributes.push_back({"group", "BUNDLE 0 1"});
  Codec opus{kOpusPayloadType, "opus", 48000, 2, kOpusFmtp, {}};
  Codec h264{kH264PayloadType, "H264", 90000, 1, kH264Fmtp,
             {std::begin(kVideoFeedback), std::end(kVideoFeedback)}};
  sd.media.push_back(
      local_media("audio", "0", opus, local.send_audio, local.recv_audio, local.audio_ssrc, local, kProtocol));
  sd.media.push_back(
      local_media("video", "1", h264, local.send_video, local.recv_video, local.video_ssrc, local, kProtocol));
  return sd;
}

Result<std::pair<SessionDescription, Negotiated>> create_answer(const SessionDescription& offer,
                                                                const LocalMediaConfig& local) {
  SessionDescription answer = local_session(local);
  Negotiated negotiated;
  for (const MediaDescription& om : offer.media) {
    NegotiatedStream* stream = stream_of(negotiated, om.kind);
    // One stream per kind; a port-0 offer m-line is one the offerer disabled.
    const Codec* offered = stream && !stream->enabled && om.port != 0 ? first_supported(om) : nullptr;
    const auto& address = address_of(offer, om);
    if (!offered) {
      answer.media.push_back(rejected(om));
      continue;
    }
    if (!address) return Error{"sdp: no connection address"};
    const bool audio = om.kind == "audio";
    // Mirror the offer: we can send only what it receives, and vice versa.
    const bool send = receives(om.direction) && (audio ? local.send_audio : local.send_video);
    const bool receive = sends(om.direction) && (audio ? local.recv_audio : local.recv_video);
    Codec codec = *offered;
    if (audio) codec.fmtp = kOpusFmtp;  // Opus fmtp states the receiver's wishes: ours
    std::erase_if(codec.rtcp_feedback, [&](const std::string& fb) {
      return audio || std::ranges::find(kVideoFeedback, fb) == std::end(kVideoFeedback);
    });
    MediaDescription am = local_media(om.kind, om.mid, codec, send, receive,
                                      audio ? local.audio_ssrc : local.video_ssrc, local, om.protocol);
    am.rtcp_mux = om.rtcp_mux;  // RFC 5761: only if offered
    answer.media.push_back(std::move(am));
    *stream = {true, codec, send, receive, primary_ssrc(om), om.mid};
    set_remote_transport(negotiated, *address, om.port);
  }
  if (!negotiated.audio.enabled && !negotiated.video.enabled) return Error{"sdp: no common codec"};
  if (auto bundle = answer_bundle(offer, answer)) answer.attributes.push_back(std::move(*bundle));
  return std::pair{std::move(answer), std::move(negotiated)};
}

Result<Negotiated> apply_answer(const SessionDescription& offer, const SessionDescription& answer) {
  if (offer.media.size() != answer.media.size()) return Error{"sdp: answer m-line count mismatch"};
  Negotiated negotiated;
  for (size_t i = 0; i < offer.media.size(); ++i) {
    const MediaDescription& om = offer.media[i];
    const MediaDescription& am = answer.media[i];
    if (om.kind != am.kind || om.protocol != am.protocol) return Error{"sdp: answer m-line mismatch"};
    if (!om.mid.empty() && !am.mid.empty() && om.mid != am.mid) return Error{"sdp: answer mid mismatch"};
    if (am.port == 0) continue;  // rejected
    if (is_rtp_protocol(am.protocol) && am.codecs.empty()) return Error{"sdp: answer codec not offered"};
    for (const Codec& ac : am.codecs) {
      auto oc = std::ranges::find_if(om.codecs, [&](const Codec& c) { return c.payload_type == ac.payload_type; });
      if (oc == om.codecs.end() || (!ac.name.empty() && !iequals(ac.name, oc->name)))
        return Error{"sdp: answer codec not offered"};
    }
    NegotiatedStream* stream = stream_of(negotiated, am.kind);
    const Codec* codec = first_supported(am);
    if (!stream || stream->enabled || !codec) continue;
    const auto& address = address_of(answer, am);
    if (!address) return Error{"sdp: no connection address"};
    *stream = {true, *codec, sends(om.direction) && receives(am.direction),
               receives(om.direction) && sends(am.direction), primary_ssrc(am), am.mid};
    set_remote_transport(negotiated, *address, am.port);
  }
  if (!negotiated.audio.enabled && !negotiated.video.enabled) return Error{"sdp: no common codec"};
  return negotiated;
}

}  // namespace peercall
