#include "media/codec/frame_fit.hpp"

#include <algorithm>
#include <cstdint>

namespace peercall {
namespace {

int even_down(int v) { return v & ~1; }
// Rounded to the nearest even number, at least 2.
int even_nearest(int64_t v) { return std::max<int>(2, int((v + 1) & ~int64_t{1})); }

}  // namespace

std::string check_encode_size(int width, int height) {
  const int w = even_down(width), h = even_down(height);
  if (w >= kMinEncodeWidth && w <= kMaxEncodeWidth && h >= kMinEncodeHeight && h <= kMaxEncodeHeight)
    return {};
  return "width and height must be " + std::to_string(kMinEncodeWidth) + "-" + std::to_string(kMaxEncodeWidth) +
         " x " + std::to_string(kMinEncodeHeight) + "-" + std::to_string(kMaxEncodeHeight);
}

PictureSize encode_size(PictureSize source, std::optional<PictureSize> requested) {
  if (requested) {
    return {std::clamp(even_down(requested->width), kMinEncodeWidth, kMaxEncodeWidth),
            std::clamp(even_down(requested->height), kMinEncodeHeight, kMaxEncodeHeight)};
  }
  int64_t w = std::max(source.width, 1), h = std::max(source.height, 1);
  // Shrink to the maximum keeping the aspect, then grow to the minimum (a
  // tiny source is padded by the clamp below rather than distorted much).
  if (w > kMaxEncodeWidth || h > kMaxEncodeHeight) {
    if (w * kMaxEncodeHeight > h * kMaxEncodeWidth) {
      h = h * kMaxEncodeWidth / w;
      w = kMaxEncodeWidth;
    } else {
      w = w * kMaxEncodeHeight / h;
      h = kMaxEncodeHeight;
    }
  }
  return {std::clamp(even_down(int(w)), kMinEncodeWidth, kMaxEncodeWidth),
          std::clamp(even_down(int(h)), kMinEncodeHeight, kMaxEncodeHeight)};
}

FitRect fit_inside(PictureSize inner, PictureSize outer) {
  if (inner.width <= 0 || inner.height <= 0 || outer.width <= 0 || outer.height <= 0) return {};
  const int64_t iw = inner.width, ih = inner.height;
  FitRect r;
  if (iw * outer.height >= ih * outer.width) {  // wider (or equal): full width, bars top and bottom
    r.width = even_down(outer.width);
    r.height = std::min(even_nearest(ih * outer.width / iw), even_down(outer.height));
  } else {  // taller: full height, bars left and right
    r.height = even_down(outer.height);
    r.width = std::min(even_nearest(iw * outer.height / ih), even_down(outer.width));
  }
  r.x = even_down((outer.width - r.width) / 2);
  r.y = even_down((outer.height - r.height) / 2);
  return r;
}

}  // namespace peercall
