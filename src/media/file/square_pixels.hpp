#pragma once
// The size a picture is handed out at by the file and pipe sources: square
// pixels (an anamorphic source is widened or heightened by its sample aspect
// ratio), even (I420 halves both), within kMaxDimension.
#include <algorithm>
#include <cstdint>
#include <utility>

namespace peercall {

inline constexpr int kMaxPictureDimension = 8192;

inline int round_even(int v) { return std::max(2, v & ~1); }

// w x h pixels of sample aspect sar_num:sar_den, shown with square pixels
// (rounded to the nearest pixel). 0 or 1:1 leaves the size as it is.
inline std::pair<int, int> square_pixel_size(int w, int h, int sar_num, int sar_den) {
  if (sar_num > 0 && sar_den > 0 && sar_num != sar_den) {
    if (sar_num > sar_den)
      w = int(std::min<int64_t>((int64_t(w) * sar_num + sar_den / 2) / sar_den, kMaxPictureDimension));
    else
      h = int(std::min<int64_t>((int64_t(h) * sar_den + sar_num / 2) / sar_num, kMaxPictureDimension));
  }
  return {std::min(w, kMaxPictureDimension), std::min(h, kMaxPictureDimension)};
}

}  // namespace peercall
