#pragma once
// H.264 NAL unit vocabulary (ITU-T H.264 7.3.1, RFC 6184 5.2) and the Annex B
// byte-stream splitter the packetizer needs.
#include <cstdint>
#include <vector>

#include "core/bytes.hpp"

namespace peercall {

// The 5-bit nal_unit_type. 1-23 are real NAL units; 24-31 are RTP payload
// structures (only STAP-A and FU-A are used in packetization-mode=1).
enum class H264NalType : uint8_t {
  kSlice = 1,
  kIdr = 5,
  kSei = 6,
  kSps = 7,
  kPps = 8,
  kAud = 9,
  kStapA = 24,
  kStapB = 25,
  kMtap16 = 26,
  kMtap24 = 27,
  kFuA = 28,
  kFuB = 29,
};

inline constexpr uint8_t kH264TypeMask = 0x1F;
inline constexpr uint8_t kH264ForbiddenBit = 0x80;
inline constexpr uint8_t kH264NriMask = 0x60;
inline constexpr uint8_t kH264FuStart = 0x80;
inline constexpr uint8_t kH264FuEnd = 0x40;
inline constexpr uint8_t kAnnexBStartCode[] = {0, 0, 0, 1};

constexpr H264NalType h264_nal_type(uint8_t header) {
  return static_cast<H264NalType>(header & kH264TypeMask);
}

// True for types that may travel as a single NAL unit packet or inside a
// STAP-A/FU-A (0 and 24-31 are reserved or payload structures).
constexpr bool h264_is_plain_nal(H264NalType type) {
  const auto t = static_cast<uint8_t>(type);
  return t >= 1 && t <= 23;
}

// Views of every NAL unit in an Annex B stream (3- or 4-byte start codes).
// Bytes before the first start code, trailing zero bytes (trailing_zero_8bits
// and the leading zero of 4-byte start codes) and empty NAL units are skipped.
// The views point into `stream`.
std::vector<ByteView> split_annexb(ByteView stream);

// Appends a 4-byte start code and the NAL unit.
void append_annexb_nal(Bytes& out, ByteView nal);

}  // namespace peercall
