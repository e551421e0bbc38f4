#pragma once
// Fake H.264 access units for the simulations: recognisable, numbered and
// free of start codes inside, so a test can check every frame arrives intact.
#include <cstdint>

#include "core/bytes.hpp"
#include "media/frames.hpp"

namespace peercall::sim {

// A fake access unit: SPS+PPS+IDR or one P slice, bodies that cannot hold a
// start code, tagged with the frame number (recovered by frame_number()).
inline Bytes fake_access_unit(uint32_t number, bool key, size_t body) {
  Bytes au;
  auto nal = [&](uint8_t header, size_t n) {
    au.insert(au.end(), {0, 0, 0, 1, header});
    for (int shift : {21, 14, 7, 0}) au.push_back(uint8_t((number >> shift) & 0x7f) | 0x80);
    for (size_t i = 0; i < n; ++i) au.push_back(uint8_t(1 + (i * 7 + number) % 250));
  };
  if (key) {
    nal(0x67, 8);
    nal(0x68, 4);
    nal(0x65, body);
  } else {
    nal(0x41, body);
  }
  return au;
}

inline uint32_t frame_number(const EncodedFrame& f) {
  const auto& d = f.data;
  for (size_t i = 0; i + 8 < d.size(); ++i)
    if (d[i] == 0 && d[i + 1] == 0 && d[i + 2] == 1)
      return (uint32_t(d[i + 4] & 0x7f) << 21) | (uint32_t(d[i + 5] & 0x7f) << 14) |
             (uint32_t(d[i + 6] & 0x7f) << 7) | (d[i + 7] & 0x7f);
  return ~0u;
}

}  // namespace peercall::sim
