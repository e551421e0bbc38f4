#include "rtp/rtcp_packet.hpp"

#include <algorithm>

namespace peercall {
namespace {

constexpr size_t kReportBlockSize = 24;
constexpr uint8_t kFmtPli = 1;
constexpr uint8_t kFmtNack = 1;
constexpr uint8_t kSdesEnd = 0;
constexpr uint8_t kSdesCname = 1;
constexpr int32_t kMinLost24 = -0x800000;
constexpr int32_t kMaxLost24 = 0x7fffff;

// Internal convention of the per-type parsers: nullptr on success, otherwise
// the static reason that becomes the Error.
using ParseError = const char*;

bool read_report_blocks(ByteReader& r, size_t count, std::vector<ReportBlock>& out) {
  if (r.remaining() < count * kReportBlockSize) return false;
  out.resize(count);
  for (ReportBlock& b : out) {
    uint32_t lost24 = 0;
    r.u32(b.ssrc);
    r.u8(b.fraction_lost);
    r.u24(lost24);
    // Sign-extend the 24-bit two's complement value.
    b.cumulative_lost = int32_t(lost24 << 8) >> 8;
    r.u32(b.extended_highest_seq);
    r.u32(b.jitter);
    r.u32(b.last_sr);
    r.u32(b.delay_since_last_sr);
  }
  return true;
}

ParseError parse_sender_report(ByteReader& r, size_t count, std::vector<RtcpPacket>& out) {
  SenderReport sr;
  uint32_t ntp_hi = 0, ntp_lo = 0;
  if (!r.u32(sr.ssrc) || !r.u32(ntp_hi) || !r.u32(ntp_lo) || !r.u32(sr.rtp_timestamp) ||
      !r.u32(sr.packet_count) || !r.u32(sr.octet_count)) {
    return "rtcp: truncated sender report";
  }
  sr.ntp_timestamp = uint64_t(ntp_hi) << 32 | ntp_lo;
  if (!read_report_blocks(r, count, sr.reports)) return "rtcp: report count overruns packet";
  out.emplace_back(std::move(sr));  // trailing profile extensions are ignored
  return nullptr;
}

ParseError parse_receiver_report(ByteReader& r, size_t count, std::vector<RtcpPacket>& out) {
  ReceiverReport rr;
  if (!r.u32(rr.ssrc)) return "rtcp: truncated receiver report";
  if (!read_report_blocks(r, count, rr.reports)) return "rtcp: report count overruns packet";
  out.emplace_back(std::move(rr));
  return nullptr;
}

ParseError parse_sdes(ByteReader& r, size_t count, std::vector<RtcpPacket>& out) {
  for (size_t chunk = 0; chunk < count; ++chunk) {
    SourceDescription sd;
    if (!r.u32(sd.ssrc)) return "rtcp: sdes chunk overruns packet";
    for (;;) {
      uint8_t type = 0, len = 0;
      ByteView text;
      if (!r.u8(type)) return "rtcp: sdes chunk overruns packet";
      if (type == kSdesEnd) break;
      if (!r.u8(len) || !r.take(len, text)) return "rtcp: sdes item overruns packet";
      if (type == kSdesCname) sd.cname.assign(text.begin(), text.end());
    }
    // Chunks are 32-bit aligned; the body itself starts on a 32-bit boundary.
    if (!r.skip((4 - r.position() % 4) % 4)) return "rtcp: sdes chunk overruns packet";
    out.emplace_back(std::move(sd));
  }
  return nullptr;
}

ParseError parse_bye(ByteReader& r, size_t count, std::vector<RtcpPacket>& out) {
  Bye bye;
  if (r.remaining() < count * 4) return "rtcp: bye count overruns packet";
  bye.ssrcs.resize(count);
  for (uint32_t& ssrc : bye.ssrcs) r.u32(ssrc);
  out.emplace_back(std::move(bye));  // an optional reason string is ignored
  return nullptr;
}

ParseError parse_feedback(ByteReader& r, RtcpType type, uint8_t fmt,
                          std::vector<RtcpPacket>& out) {
  const bool pli = type == RtcpType::kPayloadFeedback && fmt == kFmtPli;
  const bool nack = type == RtcpType::kTransportFeedback && fmt == kFmtNack;
  if (type == RtcpType::kTransportFeedback && fmt == kRtcpFmtTransportFeedback) {
    auto twcc = parse_transport_feedback(r.rest());
    // Its detailed reason is a std::string; this file's convention is static text.
    if (!twcc) return "rtcp: malformed transport-wide feedback";
    out.emplace_back(std::move(*twcc));
    return nullptr;
  }
  if (!pli && !nack) return nullptr;  // other feedback formats are skipped
  uint32_t sender = 0, media = 0;
  if (!r.u32(sender) || !r.u32(media)) return "rtcp: truncated feedback";
  if (pli) {
    out.emplace_back(PictureLossIndication{sender, media});
    return nullptr;
  }
  GenericNack n{sender, media, {}};
  uint16_t pid = 0, blp = 0;
  while (r.u16(pid) && r.u16(blp)) {
    n.lost_sequence_numbers.push_back(pid);
    for (int bit = 0; bit < 16; ++bit) {
      if (blp & (1u << bit)) n.lost_sequence_numbers.push_back(uint16_t(pid + bit + 1));
    }
  }
  out.emplace_back(std::move(n));
  return nullptr;
}

ParseError parse_one(uint8_t first, RtcpType type, ByteView body, std::vector<RtcpPacket>& out) {
  const uint8_t count = first & 0x1f;
  if (first & 0x20) {
    // Padding: the last octet counts the padding octets, itself included.
    if (body.empty() || body.back() == 0 || body.back() > body.size()) {
      return "rtcp: bad padding";
    }
    body = body.first(body.size() - body.back());
  }
  ByteReader r(body);
  switch (type) {
    case RtcpType::kSenderReport: return parse_sender_report(r, count, out);
    case RtcpType::kReceiverReport: return parse_receiver_report(r, count, out);
    case RtcpType::kSourceDescription: return parse_sdes(r, count, out);
    case RtcpType::kBye: return parse_bye(r, count, out);
    case RtcpType::kTransportFeedback:
    case RtcpType::kPayloadFeedback: return parse_feedback(r, type, count, out);
  }
  return nullptr;  // unknown packet type: skipped
}

// Writes the common header with a placeholder length; returns where it starts.
size_t begin_packet(Bytes& out, size_t count, RtcpType type) {
  const size_t start = out.size();
  ByteWriter w(out);
  w.u8(uint8_t(0x80 | (count & 0x1f)));
  w.u8(uint8_t(type));
  w.u16(0);
  return start;
}

// The length field counts 32-bit words minus one; every body here is aligned.
void finish_packet(Bytes& out, size_t start) {
  ByteWriter(out).patch_u16(start + 2, uint16_t((out.size() - start) / 4 - 1));
}

void write_report_blocks(ByteWriter& w, const std::vector<ReportBlock>& reports, size_t count) {
  for (size_t i = 0; i < count; ++i) {
    const ReportBlock& b = reports[i];
    w.u32(b.ssrc);
    w.u8(b.fraction_lost);
    w.u24(uint32_t(std::clamp(b.cumulative_lost, kMinLost24, kMaxLost24)) & 0xffffff);
    w.u32(b.extended_highest_seq);
    w.u32(b.jitter);
    w.u32(b.last_sr);
    w.u32(b.delay_since_last_sr);
  }
}

void write_one(const SenderReport& sr, Bytes& out) {
  const size_t count = std::min(sr.reports.size(), kRtcpMaxReportBlocks);
  const size_t start = begin_packet(out, count, RtcpType::kSenderReport);
  ByteWriter w(out);
  w.u32(sr.ssrc);
  w.u32(uint32_t(sr.ntp_timestamp >> 32));
  w.u32(uint32_t(sr.ntp_timestamp));
  w.u32(sr.rtp_timestamp);
  w.u32(sr.packet_count);
  w.u32(sr.octet_count);
  write_report_blocks(w, sr.reports, count);
  finish_packet(out, start);
}

void write_one(const ReceiverReport& rr, Bytes& out) {
  const size_t count = std::min(rr.reports.size(), kRtcpMaxReportBlocks);
  const size_t start = begin_packet(out, count, RtcpType::kReceiverReport);
  ByteWriter w(out);
  w.u32(rr.ssrc);
  write_report_blocks(w, rr.reports, count);
  finish_packet(out, start);
}

void write_one(const PictureLossIndication& pli, Bytes& out) {
  const size_t start = begin_packet(out, kFmtPli, RtcpType::kPayloadFeedback);
  ByteWriter w(out);
  w.u32(pli.sender_ssrc);
  w.u32(pli.media_ssrc);
  finish_packet(out, start);
}

void write_one(const GenericNack& nack, Bytes& out) {
  // Each item is a PID plus a bitmask of the 16 following sequence numbers.
  // Cap the item count so the 16-bit length field cannot overflow.
  constexpr size_t kMaxItems = 0xffff - 2;
  std::vector<std::pair<uint16_t, uint16_t>> items;
  for (uint16_t seq : nack.lost_sequence_numbers) {
    if (!items.empty()) {
      const uint16_t diff = uint16_t(seq - items.back().first);
      if (diff == 0) continue;
      if (diff <= 16) {
        items.back().second = uint16_t(items.back().second | (1u << (diff - 1)));
        continue;
      }
    }
    if (items.size() == kMaxItems) break;
    items.emplace_back(seq, 0);
  }
  const size_t start = begin_packet(out, kFmtNack, RtcpType::kTransportFeedback);
  ByteWriter w(out);
  w.u32(nack.sender_ssrc);
  w.u32(nack.media_ssrc);
  for (const auto& [pid, blp] : items) {
    w.u16(pid);
    w.u16(blp);
  }
  finish_packet(out, start);
}

void write_one(const TransportFeedback& fb, Bytes& out) { write_transport_feedback(fb, out); }

void write_one(const Bye& bye, Bytes& out) {
  const size_t count = std::min<size_t>(bye.ssrcs.size(), 31);
  const size_t start = begin_packet(out, count, RtcpType::kBye);
  ByteWriter w(out);
  for (size_t i = 0; i < count; ++i) w.u32(bye.ssrcs[i]);
  finish_packet(out, start);
}

void write_one(const SourceDescription& sd, Bytes& out) {
  const size_t start = begin_packet(out, 1, RtcpType::kSourceDescription);
  ByteWriter w(out);
  const size_t len = std::min<size_t>(sd.cname.size(), 255);
  w.u32(sd.ssrc);
  w.u8(kSdesCname);
  w.u8(uint8_t(len));
  w.bytes(ByteView(reinterpret_cast<const uint8_t*>(sd.cname.data()), len));
  // The item list ends with at least one null octet, then pads to 32 bits.
  do {
    w.u8(kSdesEnd);
  } while ((out.size() - start) % 4 != 0);
  finish_packet(out, start);
}

}  // namespace

Result<std::vector<RtcpPacket>> parse_rtcp_compound(ByteView datagram) {
  if (datagram.empty()) return Error{"rtcp: empty datagram"};
  std::vector<RtcpPacket> packets;
  ByteReader r(datagram);
  while (r.remaining() > 0) {
    uint8_t first = 0, type = 0;
    uint16_t words = 0;
    ByteView body;
    if (!r.u8(first) || !r.u8(type) || !r.u16(words)) return Error{"rtcp: truncated header"};
    if ((first >> 6) != 2) return Error{"rtcp: bad version"};
    if (!r.take(size_t(words) * 4, body)) return Error{"rtcp: length overruns datagram"};
    if (ParseError e = parse_one(first, RtcpType(type), body, packets)) return Error{e};
  }
  return packets;
}

void write_rtcp(const RtcpPacket& packet, Bytes& out) {
  std::visit([&](const auto& p) { write_one(p, out); }, packet);
}

Bytes write_rtcp_compound(const std::vector<RtcpPacket>& packets) {
  Bytes out;
  for (const RtcpPacket& p : packets) write_rtcp(p, out);
  return out;
}

}  // namespace peercall
