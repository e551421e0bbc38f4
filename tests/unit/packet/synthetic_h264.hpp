#pragma once
// Synthetic H.264 access units and their RTP packetization for the packet
// tests: NAL bodies are random but contain no start-code emulation, so the
// expected depacketized Annex B is known exactly.
#include <cstdint>
#include <random>
#include <vector>

#include "core/bytes.hpp"
#include "packet/h264_nal.hpp"
#include "packet/h264_packetizer.hpp"

namespace peercall::test {

struct SyntheticAu {
  Bytes annexb;    // as an encoder would emit it: mixed start codes, AUD, trailing zeros
  Bytes expected;  // what the depacketizer must produce: 4-byte start codes, no AUD
  bool keyframe = false;
};

struct RtpPacket {
  int64_t seq;
  uint32_t timestamp;
  bool marker;
  Bytes payload;
};

class SyntheticH264 {
 public:
  explicit SyntheticH264(uint32_t seed) : rng_(seed) {}

  // Exactly `size` bytes: header (NRI 3) then a random body free of 00 00 0x.
  Bytes nal(H264NalType type, size_t size) {
    Bytes out{static_cast<uint8_t>(0x60 | static_cast<uint8_t>(type))};
    std::uniform_int_distribution<int> byte(0, 255);
    while (out.size() < size) {
      uint8_t b = static_cast<uint8_t>(byte(rng_) < 40 ? 0 : byte(rng_));
      const size_t n = out.size();
      if (n >= 2 && out[n - 1] == 0 && out[n - 2] == 0 && b <= 3) b += 4;
      out.push_back(b);
    }
    if (out.back() == 0) out.back() = 0x80;  // a NAL never ends in a zero byte
    return out;
  }

  SyntheticAu access_unit(std::vector<Bytes> nals) {
    SyntheticAu au;
    // As an encoder writes them: the picture's first slice has first_mb_in_slice
    // 0 (the bit 1 after the NAL header), its later slices do not.
    bool first_slice = true;
    for (Bytes& n : nals) {
      const H264NalType t = h264_nal_type(n[0]);
      if ((t != H264NalType::kSlice && t != H264NalType::kIdr) || n.size() < 2) continue;
      n[1] = first_slice ? uint8_t(n[1] | 0x80) : uint8_t(n[1] & 0x7f);
      if (n.size() == 2 && n[1] == 0) n[1] = 0x40;  // a NAL never ends in a zero byte
      first_slice = false;
    }
    for (const Bytes& n : nals) {
      if (rng_() % 2) au.annexb.push_back(0);  // 4-byte start code
      au.annexb.insert(au.annexb.end(), {0, 0, 1});
      au.annexb.insert(au.annexb.end(), n.begin(), n.end());
      if (rng_() % 5 == 0) au.annexb.push_back(0);  // trailing_zero_8bits
      const H264NalType type = h264_nal_type(n[0]);
      if (type == H264NalType::kAud) continue;
      au.keyframe = au.keyframe || type == H264NalType::kIdr;
      append_annexb_nal(au.expected, n);
    }
    return au;
  }

  // AUD, SPS, PPS, SEI, then one IDR slice of `idr_size` bytes.
  SyntheticAu keyframe(size_t idr_size) {
    return access_unit({nal(H264NalType::kAud, 2), nal(H264NalType::kSps, 14),
                        nal(H264NalType::kPps, 5), nal(H264NalType::kSei, 30),
                        nal(H264NalType::kIdr, idr_size)});
  }

  SyntheticAu delta_frame(size_t slices, size_t slice_size) {
    std::vector<Bytes> nals{nal(H264NalType::kAud, 2)};
    for (size_t i = 0; i < slices; ++i) nals.push_back(nal(H264NalType::kSlice, slice_size));
    return access_unit(nals);
  }

  std::mt19937& rng() { return rng_; }

 private:
  std::mt19937 rng_;
};

// Packetizes frames back to back: consecutive seqs from `first_seq`, one
// timestamp per frame (3000 apart, 30 fps at 90 kHz), marker on each last packet.
inline std::vector<RtpPacket> to_rtp(const H264Packetizer& packetizer,
                                     const std::vector<SyntheticAu>& frames, int64_t first_seq,
                                     uint32_t first_timestamp = 90000) {
  std::vector<RtpPacket> out;
  int64_t seq = first_seq;
  uint32_t timestamp = first_timestamp;
  for (const SyntheticAu& au : frames) {
    std::vector<Bytes> payloads = packetizer.packetize(au.annexb);
    for (size_t i = 0; i < payloads.size(); ++i) {
      out.push_back({seq++, timestamp, i + 1 == payloads.size(), std::move(payloads[i])});
    }
    timestamp += 3000;
  }
  return out;
}

}  // namespace peercall::test
