#pragma once
// The SDP model (RFC 8866) as peercall needs it: the fields negotiation reads are
// typed, everything else (ICE, DTLS, extmap, msid, ...) is kept verbatim in
// `attributes` / `other_attributes` so later layers can use it and the writer
// can reproduce it.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace peercall {

enum class Direction { kSendRecv, kSendOnly, kRecvOnly, kInactive };

// Direction as seen by the side that wrote it.
inline bool sends(Direction d) { return d == Direction::kSendRecv || d == Direction::kSendOnly; }
inline bool receives(Direction d) { return d == Direction::kSendRecv || d == Direction::kRecvOnly; }
inline Direction direction_from(bool send, bool receive) {
  if (send && receive) return Direction::kSendRecv;
  if (send) return Direction::kSendOnly;
  if (receive) return Direction::kRecvOnly;
  return Direction::kInactive;
}

// RTP m-lines list payload types; others (UDP/DTLS/SCTP, ...) list opaque formats.
inline bool is_rtp_protocol(std::string_view protocol) {
  return protocol.find("RTP/") != std::string_view::npos;
}

// One payload type of an RTP m-line, assembled from a=rtpmap, a=fmtp, a=rtcp-fb.
struct Codec {
  uint8_t payload_type = 0;
  std::string name;         // as written, e.g. "opus", "H264" (compare case-insensitively)
  uint32_t clock_rate = 0;  // 0 = no rtpmap and not a known static payload type
  uint8_t channels = 1;
  std::string fmtp;                        // parameters after "a=fmtp:<pt> "
  std::vector<std::string> rtcp_feedback;  // values after "a=rtcp-fb:<pt> ", e.g. "nack pli"
  bool operator==(const Codec&) const = default;
};

// a=name:value, or a=name (empty value). The value is kept byte for byte.
struct Attribute {
  std::string name;
  std::string value;
  bool operator==(const Attribute&) const = default;
};

struct MediaDescription {
  std::string kind;  // audio | video | application | ...
  uint16_t port = 0;  // 0 = rejected / disabled m-line
  std::string protocol;  // RTP/AVP, UDP/TLS/RTP/SAVPF, UDP/DTLS/SCTP, ...
  std::vector<Codec> codecs;  // RTP m-lines, in m-line (preference) order
  std::vector<std::string> formats;  // non-RTP m-lines only: fmt tokens verbatim
  Direction direction = Direction::kSendRecv;
  std::string mid;
  std::optional<std::string> connection_address;  // media-level c=
  bool rtcp_mux = false;
  std::vector<uint32_t> ssrcs;  // every SSRC named by a=ssrc, first-seen order
  std::string cname;            // first a=ssrc:<id> cname:<value>
  std::vector<Attribute> other_attributes;
  bool operator==(const MediaDescription&) const = default;
};

struct SessionDescription {
  uint64_t session_id = 0;
  uint64_t session_version = 0;
  std::string origin_address = "127.0.0.1";
  std::string session_name = "peercall";
  std::optional<std::string> connection_address;  // session-level c=
  std::vector<Attribute> attributes;  // session-level, e.g. group:BUNDLE 0 1
  std::vector<MediaDescription> media;
  bool operator==(const SessionDescription&) const = default;
};

}  // namespace peercall
