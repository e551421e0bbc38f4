#include "session/stream_table.hpp"

namespace peercall {

ReceiveEntry* StreamTable::route(uint32_t ssrc, uint8_t payload_type) {
  if (ReceiveEntry* known = receive_by_remote_ssrc(ssrc)) {
    const bool red = known->config.red_payload_type != 0 && known->config.red_payload_type == payload_type;
    return known->config.payload_type == payload_type || red ? known : nullptr;
  }
  // Not signalled: the first packet of this m-line's payload type names it.
  for (ReceiveEntry& r : receive_) {
    if (r.rtp.remote_ssrc() == 0 && r.config.payload_type == payload_type && r.rtp.accepts(ssrc))
      return &r;
  }
  return nullptr;
}

ReceiveEntry* StreamTable::route_rtx(uint32_t ssrc, uint8_t payload_type) {
  if (ssrc == 0) return nullptr;
  for (ReceiveEntry& r : receive_) {
    const bool rtx_type = (r.config.rtx_payload_type != 0 && r.config.rtx_payload_type == payload_type) ||
                          (r.config.red_rtx_payload_type != 0 && r.config.red_rtx_payload_type == payload_type);
    if (!rtx_type) continue;
    if (r.remote_rtx_ssrc == 0 && !is_remote_ssrc(ssrc)) r.remote_rtx_ssrc = ssrc;  // not signalled: latch
    if (r.remote_rtx_ssrc == ssrc) return &r;
  }
  return nullptr;
}

ReceiveEntry* StreamTable::route_fec(uint32_t ssrc, uint8_t payload_type) {
  if (ssrc == 0) return nullptr;
  for (ReceiveEntry& r : receive_) {
    if (r.config.kind != MediaKind::kVideo || r.config.fec_payload_type == 0 ||
        r.config.fec_payload_type != payload_type)
      continue;
    if (r.remote_fec_ssrc == 0 && !is_remote_ssrc(ssrc)) r.remote_fec_ssrc = ssrc;  // not signalled: latch
    if (r.remote_fec_ssrc == ssrc) return &r;
  }
  return nullptr;
}

ReceiveEntry* StreamTable::receive_by_remote_ssrc(uint32_t ssrc) {
  if (ssrc == 0) return nullptr;
  for (ReceiveEntry& r : receive_)
    if (r.rtp.remote_ssrc() == ssrc) return &r;
  return nullptr;
}

SendEntry* StreamTable::send_by_local_ssrc(uint32_t ssrc) {
  for (SendEntry& s : send_)
    if (s.rtp.ssrc() == ssrc) return &s;
  return nullptr;
}

SendEntry* StreamTable::first_send(MediaKind kind) {
  for (SendEntry& s : send_)
    if (s.config.kind == kind) return &s;
  return nullptr;
}

bool StreamTable::is_remote_ssrc(uint32_t ssrc) const {
  for (const ReceiveEntry& r : receive_)
    if (ssrc != 0 &&
        (r.rtp.remote_ssrc() == ssrc || r.remote_rtx_ssrc == ssrc || r.remote_fec_ssrc == ssrc))
      return true;
  return false;
}

bool StreamTable::receives(MediaKind kind) const {
  for (const ReceiveEntry& r : receive_)
    if (r.config.kind == kind) return true;
  return false;
}

uint32_t StreamTable::rtcp_ssrc() const {
  if (!send_.empty()) return send_.front().config.local_ssrc;
  for (const ReceiveEntry& r : receive_)
    if (r.config.local_ssrc != 0) return r.config.local_ssrc;
  return fallback_rtcp_ssrc_;
}

std::vector<uint32_t> StreamTable::local_ssrcs() const {
  std::vector<uint32_t> out;
  for (const SendEntry& s : send_) {
    out.push_back(s.config.local_ssrc);
    if (s.retransmitter && s.retransmitter->uses_rtx()) out.push_back(s.retransmitter->rtx_ssrc());
    if (s.fec && s.config.local_fec_ssrc) out.push_back(s.config.local_fec_ssrc);
  }
  if (out.empty()) out.push_back(rtcp_ssrc());
  return out;
}

}  // namespace peercall
