#include "sdp/call_extras.hpp"

#include <charconv>

#include "sdp/media_codecs.hpp"
#include "sdp/sdp_tokens.hpp"

namespace peercall {
namespace {

template <class T>
std::optional<T> number(std::string_view s) {
  T v{};
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

const Attribute* attribute(const MediaDescription& m, std::string_view name) {
  for (const Attribute& a : m.other_attributes)
    if (a.name == name) return &a;
  return nullptr;
}

}  // namespace

MediaDescription data_channel_media(const std::string& mid, const TransportDescription& transport, DtlsSetup setup) {
  MediaDescription m;
  m.kind = "application";
  m.port = 9;
  m.protocol = kDataChannelProtocol;
  m.formats = {kDataChannelFormat};
  m.connection_address = "0.0.0.0";
  m.mid = mid;
  add_transport_attributes(m, transport, setup);
  m.other_attributes.push_back({"sctp-port", std::to_string(kSctpPort)});
  m.other_attributes.push_back({"max-message-size", std::to_string(kOurMaxMessageSize)});
  return m;
}

bool is_data_channel(const MediaDescription& m) {
  return m.kind == "application" && m.protocol == kDataChannelProtocol && m.port != 0 && m.formats.size() == 1 &&
         m.formats[0] == kDataChannelFormat;
}

NegotiatedDataChannel read_data_channel(const MediaDescription& m) {
  NegotiatedDataChannel d;
  d.enabled = true;
  d.mid = m.mid;
  if (const Attribute* port = attribute(m, "sctp-port"))
    if (auto p = number<uint16_t>(port->value); p && *p != 0) d.remote_port = *p;
  if (const Attribute* size = attribute(m, "max-message-size")) {
    // 0 means "any size": our own limit bounds what we send anyway.
    if (auto s = number<uint64_t>(size->value)) d.remote_max_message_size = *s == 0 ? kOurMaxMessageSize : size_t(*s);
  }
  return d;
}

void add_transport_cc(MediaDescription& m, uint8_t id) {
  m.other_attributes.push_back({"extmap", std::to_string(id) + " " + kTransportCcUri});
  for (Codec& c : m.codecs) {
    if (sdp_tokens::iequals(c.name, "rtx")) continue;
    c.rtcp_feedback.push_back("transport-cc");
  }
}

uint8_t transport_cc_id(const MediaDescription& m) {
  for (const Attribute& a : m.other_attributes) {
    if (a.name != "extmap") continue;
    const size_t space = a.value.find(' ');
    if (space == std::string::npos) continue;
    std::string_view rest = std::string_view(a.value).substr(space + 1);
    rest = rest.substr(0, rest.find(' '));  // extension attributes may follow
    if (rest != kTransportCcUri) continue;
    std::string_view id = std::string_view(a.value).substr(0, space);
    id = id.substr(0, id.find('/'));  // "3/sendrecv"
    if (auto v = number<unsigned>(id); v && *v >= 1 && *v <= 14) return uint8_t(*v);
  }
  return 0;
}

}  // namespace peercall

namespace peercall {

void add_flexfec(MediaDescription& m, uint8_t payload_type, uint32_t media_ssrc, uint32_t fec_ssrc) {
  m.codecs.push_back({payload_type, "flexfec", 90000, 1, "repair-window=200000", {}});
  if (media_ssrc == 0 || fec_ssrc == 0) return;  // receiving only: no stream of ours to declare
  std::string msid;
  for (const Attribute& a : m.other_attributes)
    if (a.name == "msid") msid = a.value;
  m.ssrcs.push_back(fec_ssrc);
  m.other_attributes.push_back({"ssrc-group", "FEC-FR " + std::to_string(media_ssrc) + " " + std::to_string(fec_ssrc)});
  if (!msid.empty()) m.other_attributes.push_back({"ssrc", std::to_string(fec_ssrc) + " msid:" + msid});
}

const Codec* find_flexfec(const MediaDescription& m) {
  for (const Codec& c : m.codecs)
    if (sdp_tokens::iequals(c.name, "flexfec") && c.clock_rate == 90000) return &c;
  return nullptr;
}

std::optional<RedUlpfec> find_red_ulpfec(const MediaDescription& m, bool rtx) {
  RedUlpfec found;
  for (const Codec& c : m.codecs) {
    if (c.clock_rate != 90000) continue;
    if (!found.red && sdp_tokens::iequals(c.name, "red")) found.red = &c;
    if (!found.ulpfec && sdp_tokens::iequals(c.name, "ulpfec")) found.ulpfec = &c;
  }
  if (!found.red || !found.ulpfec) return std::nullopt;
  if (rtx) {
    found.red_rtx = find_rtx_codec(m, found.red->payload_type);
    if (!found.red_rtx) return std::nullopt;  // resends of RED packets need it
  }
  return found;
}

uint32_t fec_ssrc_of(const MediaDescription& m, uint32_t media) {
  if (media == 0) return 0;
  const std::string prefix = "FEC-FR " + std::to_string(media) + " ";
  for (const Attribute& a : m.other_attributes) {
    if (a.name != "ssrc-group" || a.value.rfind(prefix, 0) != 0) continue;
    if (auto v = number<uint32_t>(std::string_view(a.value).substr(prefix.size()))) return *v;
  }
  return 0;
}

}  // namespace peercall
