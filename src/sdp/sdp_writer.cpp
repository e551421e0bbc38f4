#include "sdp/sdp_writer.hpp"

#include <string_view>
#include <type_traits>

namespace peercall {
namespace {

class Writer {
 public:
  // One "<type>=<parts...>\r\n" line; CR, LF and NUL inside parts are dropped.
  template <class... Parts>
  void line(char type, const Parts&... parts) {
    out_ += type;
    out_ += '=';
    (append(parts), ...);
    out_ += "\r\n";
  }
  void attribute(const Attribute& a) {
    if (a.value.empty()) {
      line('a', a.name);
    } else {
      line('a', a.name, ":", a.value);
    }
  }
  std::string take() { return std::move(out_); }

 private:
  void append(std::string_view s) {
    for (char ch : s) {
      if (ch != '\r' && ch != '\n' && ch != '\0') out_ += ch;
    }
  }
  template <class N>
    requires std::is_integral_v<N>
  void append(N n) { out_ += std::to_string(+n); }  // unary + prints uint8_t as a number

  std::string out_;
};

const char* address_type(const std::string& address) {
  return address.find(':') == std::string::npos ? "IP4" : "IP6";
}

const char* direction_name(Direction d) {
  switch (d) {
    case Direction::kSendOnly: return "sendonly";
    case Direction::kRecvOnly: return "recvonly";
    case Direction::kInactive: return "inactive";
    case Direction::kSendRecv: break;
  }
  return "sendrecv";
}

void write_media(Writer& w, const MediaDescription& m) {
  std::string formats;
  for (const Codec& c : m.codecs) formats += " " + std::to_string(c.payload_type);
  for (const std::string& f : m.formats) formats += " " + f;
  w.line('m', m.kind, " ", m.port, " ", m.protocol, formats);
  if (m.connection_address)
    w.line('c', "IN ", address_type(*m.connection_address), " ", *m.connection_address);
  if (!m.mid.empty()) w.line('a', "mid:", m.mid);
  w.line('a', direction_name(m.direction));
  if (m.rtcp_mux) w.line('a', "rtcp-mux");
  for (const Codec& c : m.codecs) {
    if (!c.name.empty()) {
      if (c.channels > 1) {
        w.line('a', "rtpmap:", c.payload_type, " ", c.name, "/", c.clock_rate, "/", c.channels);
      } else {
        w.line('a', "rtpmap:", c.payload_type, " ", c.name, "/", c.clock_rate);
      }
    }
    if (!c.fmtp.empty()) w.line('a', "fmtp:", c.payload_type, " ", c.fmtp);
    for (const std::string& fb : c.rtcp_feedback) w.line('a', "rtcp-fb:", c.payload_type, " ", fb);
  }
  if (!m.cname.empty()) {
    for (uint32_t ssrc : m.ssrcs) w.line('a', "ssrc:", ssrc, " cname:", m.cname);
  }
  for (const Attribute& a : m.other_attributes) w.attribute(a);
}

}  // namespace

std::string write_sdp(const SessionDescription& sd) {
  Writer w;
  w.line('v', "0");
  w.line('o', "- ", sd.session_id, " ", sd.session_version, " IN ", address_type(sd.origin_address), " ",
         sd.origin_address);
  w.line('s', sd.session_name.empty() ? std::string("-") : sd.session_name);
  if (sd.connection_address)
    w.line('c', "IN ", address_type(*sd.connection_address), " ", *sd.connection_address);
  w.line('t', "0 0");
  for (const Attribute& a : sd.attributes) w.attribute(a);
  for (const MediaDescription& m : sd.media) write_media(w, m);
  return w.take();
}

}  // namespace peercall
