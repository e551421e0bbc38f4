#include "packet/h264_packetizer.hpp"

#include <algorithm>

#include "packet/h264_nal.hpp"

namespace peercall {
namespace {

constexpr size_t kStapAHeader = 1;
constexpr size_t kStapALength = 2;
constexpr size_t kFuAHeader = 2;

// Collects consecutive small NALs; emits them as one single NAL unit packet or
// as a STAP-A when there are several.
class Aggregator {
 public:
  Aggregator(size_t max_payload, std::vector<Bytes>& out) : max_(max_payload), out_(out) {}

  // Flushes first if `nal` would not fit in the pending STAP-A.
  void add(ByteView nal) {
    if (!pending_.empty() && stap_size_ + kStapALength + nal.size() > max_) flush();
    pending_.push_back(nal);
    stap_size_ += kStapALength + nal.size();
  }

  void flush() {
    if (pending_.size() == 1) {
      out_.emplace_back(pending_[0].begin(), pending_[0].end());
    } else if (pending_.size() > 1) {
      out_.push_back(stap_a());
    }
    pending_.clear();
    stap_size_ = kStapAHeader;
  }

 private:
  Bytes stap_a() const {
    // RFC 6184 5.7.1: F is the OR of the aggregated F bits, NRI their maximum.
    uint8_t forbidden = 0, nri = 0;
    for (ByteView nal : pending_) {
      forbidden |= nal[0] & kH264ForbiddenBit;
      nri = std::max<uint8_t>(nri, nal[0] & kH264NriMask);
    }
    Bytes packet;
    packet.reserve(stap_size_);
    ByteWriter w(packet);
    w.u8(forbidden | nri | static_cast<uint8_t>(H264NalType::kStapA));
    for (ByteView nal : pending_) {
      w.u16(static_cast<uint16_t>(nal.size()));
      w.bytes(nal);
    }
    return packet;
  }

  const size_t max_;
  std::vector<Bytes>& out_;
  std::vector<ByteView> pending_;
  size_t stap_size_ = kStapAHeader;
};

}  // namespace

H264Packetizer::H264Packetizer(size_t max_payload)
    : max_payload_(std::clamp(max_payload, kMinPayload, kMaxPayload)) {}

std::vector<Bytes> H264Packetizer::packetize(ByteView annexb_access_unit) const {
  std::vector<Bytes> out;
  Aggregator aggregator(max_payload_, out);
  for (ByteView nal : split_annexb(annexb_access_unit)) {
    const H264NalType type = h264_nal_type(nal[0]);
    // AUDs carry nothing RTP does not already say (the marker ends the AU);
    // other types would be misread as payload structures by the receiver.
    if (type == H264NalType::kAud || !h264_is_plain_nal(type)) continue;
    if (nal.size() > max_payload_) {
      aggregator.flush();
      fragment(nal, out);
    } else {
      aggregator.add(nal);
    }
  }
  aggregator.flush();
  return out;
}

void H264Packetizer::fragment(ByteView nal, std::vector<Bytes>& out) const {
  // RFC 6184 5.8: the NAL header is not sent; its F/NRI go in the FU indicator
  // and its type in the FU header. Fragments are sized evenly so the last one
  // is not a tiny straggler.
  const uint8_t header = nal[0];
  const ByteView body = nal.subspan(1);
  const size_t max_chunk = max_payload_ - kFuAHeader;
  const size_t count = (body.size() + max_chunk - 1) / max_chunk;  // >= 2: nal exceeds max_payload
  const size_t base = body.size() / count;
  const size_t extra = body.size() % count;
  size_t offset = 0;
  for (size_t i = 0; i < count; ++i) {
    const size_t chunk = base + (i < extra ? 1 : 0);
    uint8_t fu_header = header & kH264TypeMask;
    if (i == 0) fu_header |= kH264FuStart;
    if (i + 1 == count) fu_header |= kH264FuEnd;
    Bytes packet;
    packet.reserve(kFuAHeader + chunk);
    packet.push_back(static_cast<uint8_t>((header & (kH264ForbiddenBit | kH264NriMask)) |
                                          static_cast<uint8_t>(H264NalType::kFuA)));
    packet.push_back(fu_header);
    packet.insert(packet.end(), body.begin() + offset, body.begin() + offset + chunk);
    out.push_back(std::move(packet));
    offset += chunk;
  }
}

}  // namespace peercall
