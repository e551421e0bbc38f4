#include "sdp/sdp_parser.hpp"

#include <algorithm>
#include <charconv>
#include <optional>
#include <vector>

namespace peercall {
namespace {

// Whole-token unsigned number no larger than `max`; anything else is nullopt.
template <class T>
std::optional<T> parse_number(std::string_view s, uint64_t max) {
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size() || v > max) return std::nullopt;
  return static_cast<T>(v);
}

// Space-separated fields; runs of spaces are tolerated.
std::vector<std::string_view> split_fields(std::string_view s) {
  std::vector<std::string_view> out;
  size_t pos = 0;
  while (pos < s.size()) {
    size_t end = s.find(' ', pos);
    if (end == std::string_view::npos) end = s.size();
    if (end > pos) out.push_back(s.substr(pos, end - pos));
    pos = end + 1;
  }
  return out;
}

// "<first> <rest>": the leading field and everything after the first space.
std::pair<std::string_view, std::string_view> split_first(std::string_view s) {
  size_t sp = s.find(' ');
  if (sp == std::string_view::npos) return {s, {}};
  return {s.substr(0, sp), s.substr(sp + 1)};
}

// RFC 3551 static payload types a peer may list without an a=rtpmap.
void fill_static_payload_type(Codec& c) {
  struct Static { uint8_t pt; const char* name; uint32_t rate; };
  static constexpr Static kStatic[] = {
      {0, "PCMU", 8000}, {8, "PCMA", 8000}, {9, "G722", 8000}, {13, "CN", 8000}, {18, "G729", 8000}};
  for (const auto& s : kStatic) {
    if (s.pt == c.payload_type) {
      c.name = s.name;
      c.clock_rate = s.rate;
    }
  }
}

std::optional<Direction> direction_attribute(std::string_view name) {
  if (name == "sendrecv") return Direction::kSendRecv;
  if (name == "sendonly") return Direction::kSendOnly;
  if (name == "recvonly") return Direction::kRecvOnly;
  if (name == "inactive") return Direction::kInactive;
  return std::nullopt;
}

class Parser {
 public:
  Result<SessionDescription> run(std::string_view text);

 private:
  const char* line(char type, std::string_view value);
  const char* origin(std::string_view value);
  const char* connection(std::string_view value);
  const char* media_line(std::string_view value);
  const char* media_attribute(std::string_view name, std::string_view value);
  const char* rtpmap(std::string_view value);
  const char* ssrc(std::string_view value);
  Codec* codec(std::string_view pt_text, const char*& error);

  SessionDescription sd_;
  MediaDescription* m_ = nullptr;  // current m-section, null at session level
  Direction session_direction_ = Direction::kSendRecv;
};

Result<SessionDescription> Parser::run(std::string_view text) {
  if (text.size() > kMaxSdpBytes) return Error{"sdp: too large"};
  bool seen_version = false;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view l = text.substr(pos, end - pos);
    pos = end + 1;
    if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
    if (l.size() > kMaxSdpLineLength) return Error{"sdp: line too long"};
    if (l.empty()) continue;  // tolerate blank lines, e.g. a trailing one
    if (!seen_version) {
      if (l != "v=0") return Error{"sdp: missing v=0"};
      seen_version = true;
      continue;
    }
    // RFC 8866 forbids CR and NUL inside a line; rejecting them keeps write(parse(x)) stable.
    constexpr std::string_view kForbidden("\r\0", 2);
    const bool well_formed = l.size() >= 2 && l[1] == '=' && l[0] >= 'a' && l[0] <= 'z';
    if (!well_formed || l.find_first_of(kForbidden) != l.npos) return Error{"sdp: malformed line"};
    if (const char* err = line(l[0], l.substr(2))) return Error{err};
  }
  if (!seen_version) return Error{"sdp: missing v=0"};
  if (sd_.media.empty()) return Error{"sdp: no media"};
  return std::move(sd_);
}

const char* Parser::line(char type, std::string_view value) {
  switch (type) {
    case 'o': return m_ ? nullptr : origin(value);
    case 's':
      if (!m_) sd_.session_name = std::string(value);
      return nullptr;
    case 'c': return connection(value);
    case 'm': return media_line(value);
    case 'a': {
      size_t colon = value.find(':');
      std::string_view name = value.substr(0, colon);
      std::string_view attr_value = colon == std::string_view::npos ? std::string_view{} : value.substr(colon + 1);
      if (m_) return media_attribute(name, attr_value);
      // A session-level direction is the default for the m-lines that follow.
      if (auto d = direction_attribute(name)) session_direction_ = *d;
      sd_.attributes.push_back({std::string(name), std::string(attr_value)});
      return nullptr;
    }
    default: return nullptr;  // t=, b=, i=, k=, ...: not needed for negotiation
  }
}

const char* Parser::origin(std::string_view value) {
  auto f = split_fields(value);  // <username> <sess-id> <sess-version> IN <addrtype> <address>
  if (f.size() != 6) return "sdp: bad origin";
  auto id = parse_number<uint64_t>(f[1], UINT64_MAX);
  auto version = parse_number<uint64_t>(f[2], UINT64_MAX);
  if (!id || !version) return "sdp: bad origin";
  sd_.session_id = *id;
  sd_.session_version = *version;
  sd_.origin_address = std::string(f[5]);
  return nullptr;
}

const char* Parser::connection(std::string_view value) {
  auto f = split_fields(value);  // IN IP4 <address>[/ttl[/count]]
  if (f.size() != 3 || f[0] != "IN" || (f[1] != "IP4" && f[1] != "IP6")) return "sdp: bad connection";
  std::string address(f[2].substr(0, f[2].find('/')));
  if (address.empty()) return "sdp: bad connection";
  (m_ ? m_->connection_address : sd_.connection_address) = std::move(address);
  return nullptr;
}

const char* Parser::media_line(std::string_view value) {
  auto f = split_fields(value);  // <media> <port>[/<count>] <proto> <fmt> ...
  if (f.size() < 4) return "sdp: bad m-line";
  if (sd_.media.size() >= kMaxSdpMediaSections) return "sdp: too many m-lines";
  if (f.size() - 3 > kMaxSdpCodecsPerMedia) return "sdp: too many codecs";
  auto port = parse_number<uint16_t>(f[1].substr(0, f[1].find('/')), 65535);
  if (!port) return "sdp: bad port";
  MediaDescription m;
  m.kind = std::string(f[0]);
  m.port = *port;
  m.protocol = std::string(f[2]);
  m.direction = session_direction_;
  const bool rtp = is_rtp_protocol(m.protocol);
  for (size_t i = 3; i < f.size(); ++i) {
    if (!rtp) {
      m.formats.emplace_back(f[i]);
      continue;
    }
    auto pt = parse_number<uint8_t>(f[i], 127);
    if (!pt) return "sdp: bad payload type";
    if (std::any_of(m.codecs.begin(), m.codecs.end(), [&](const Codec& c) { return c.payload_type == *pt; }))
      return "sdp: duplicate payload type";
    Codec c;
    c.payload_type = *pt;
    fill_static_payload_type(c);
    m.codecs.push_back(std::move(c));
  }
  m_ = &sd_.media.emplace_back(std::move(m));
  return nullptr;
}

// The codec of the current m-line named by a payload-type field. Returns null with
// no error for a well-formed payload type the m-line does not list (ignored).
Codec* Parser::codec(std::string_view pt_text, const char*& error) {
  auto pt = parse_number<uint8_t>(pt_text, 127);
  if (!pt) {
    error = "sdp: bad payload type attribute";
    return nullptr;
  }
  auto it = std::find_if(m_->codecs.begin(), m_->codecs.end(),
                         [&](const Codec& c) { return c.payload_type == *pt; });
  return it == m_->codecs.end() ? nullptr : &*it;
}

const char* Parser::media_attribute(std::string_view name, std::string_view value) {
  const bool rtp = is_rtp_protocol(m_->protocol);
  if (auto d = direction_attribute(name)) {
    m_->direction = *d;
    return nullptr;
  }
  if (name == "mid") {
    m_->mid = std::string(value);
    return nullptr;
  }
  if (name == "rtcp-mux") {
    m_->rtcp_mux = true;
    return nullptr;
  }
  if (name == "ssrc") return ssrc(value);
  if (rtp && name == "rtpmap") return rtpmap(value);
  if (rtp && (name == "fmtp" || name == "rtcp-fb")) {
    auto [pt, rest] = split_first(value);
    if (pt != "*") {  // a wildcard rtcp-fb applies to all codecs: kept verbatim below
      const char* error = nullptr;
      Codec* c = codec(pt, error);
      if (c && name == "fmtp") c->fmtp = std::string(rest);
      if (c && name == "rtcp-fb" && !rest.empty()) c->rtcp_feedback.emplace_back(rest);
      return error;
    }
  }
  m_->other_attributes.push_back({std::string(name), std::string(value)});
  return nullptr;
}

const char* Parser::rtpmap(std::string_view value) {
  auto [pt, encoding] = split_first(value);  // <pt> <name>/<clock>[/<channels>]
  const char* error = nullptr;
  Codec* c = codec(pt, error);
  if (error) return error;
  size_t s1 = encoding.find('/');
  if (s1 == std::string_view::npos || s1 == 0) return "sdp: bad rtpmap";
  size_t s2 = encoding.find('/', s1 + 1);
  auto rate = parse_number<uint32_t>(encoding.substr(s1 + 1, s2 == std::string_view::npos ? s2 : s2 - s1 - 1),
                                     UINT32_MAX);
  std::optional<uint8_t> channels = uint8_t{1};
  if (s2 != std::string_view::npos) channels = parse_number<uint8_t>(encoding.substr(s2 + 1), 255);
  if (!rate || *rate == 0 || !channels || *channels == 0) return "sdp: bad rtpmap";
  if (c) {
    c->name = std::string(encoding.substr(0, s1));
    c->clock_rate = *rate;
    c->channels = *channels;
  }
  return nullptr;
}

const char* Parser::ssrc(std::string_view value) {
  auto [id_text, attr] = split_first(value);  // <ssrc-id> <attribute>[:<value>]
  auto id = parse_number<uint32_t>(id_text, UINT32_MAX);
  if (!id) return "sdp: bad ssrc";
  if (std::find(m_->ssrcs.begin(), m_->ssrcs.end(), *id) == m_->ssrcs.end()) {
    if (m_->ssrcs.size() >= kMaxSdpSsrcsPerMedia) return "sdp: too many ssrcs";
    m_->ssrcs.push_back(*id);
  }
  // The writer regenerates "cname:" lines for every SSRC from `cname`; anything
  // else (msid, a second cname) is kept verbatim.
  constexpr std::string_view kCname = "cname:";
  constexpr size_t kMaxCname = 255;  // RFC 7022 names are short; bounds what the writer repeats per SSRC
  std::string_view cname = attr.starts_with(kCname) ? attr.substr(kCname.size()) : std::string_view{};
  if (!cname.empty() && cname.size() <= kMaxCname) {
    if (m_->cname.empty()) m_->cname = std::string(cname);
    if (m_->cname == cname) return nullptr;
  }
  m_->other_attributes.push_back({"ssrc", std::string(value)});
  return nullptr;
}

}  // namespace

Result<SessionDescription> parse_sdp(std::string_view text) { return Parser().run(text); }

}  // namespace peercall
