#include "output/sdl/window_layout.hpp"

#include <algorithm>
#include <cstdint>

namespace peercall {

LayoutRect letterbox(int picture_w, int picture_h, LayoutRect box) {
  if (picture_w <= 0 || picture_h <= 0 || box.w <= 0 || box.h <= 0) return {box.x, box.y, 0, 0};
  // Compare aspects in 64-bit integers: no rounding drift, no overflow.
  int w = box.w;
  int h = box.h;
  if (int64_t(box.w) * picture_h > int64_t(box.h) * picture_w) {
    w = int(int64_t(box.h) * picture_w / picture_h);  // box is wider: bars left and right
  } else {
    h = int(int64_t(box.w) * picture_h / picture_w);  // box is taller: bars top and bottom
  }
  return {box.x + (box.w - w) / 2, box.y + (box.h - h) / 2, w, h};
}

LayoutRect self_view_rect(int picture_w, int picture_h, int output_w, int output_h) {
  const int max_w = std::max(0, std::min(output_w / 4, output_w - 2 * kSelfViewMargin));
  const int max_h = std::max(0, output_h / 2 - kSelfViewMargin);
  const LayoutRect size = letterbox(picture_w, picture_h, {0, 0, max_w, max_h});
  return {output_w - kSelfViewMargin - size.w, output_h - kSelfViewMargin - size.h, size.w,
          size.h};
}

LayoutRect fit_within(int picture_w, int picture_h, int max_w, int max_h) {
  if (picture_w <= max_w && picture_h <= max_h) return {0, 0, picture_w, picture_h};
  const LayoutRect fitted = letterbox(picture_w, picture_h, {0, 0, max_w, max_h});
  return {0, 0, fitted.w & ~1, fitted.h & ~1};
}

CallLayout call_layout(int remote_w, int remote_h, int self_w, int self_h, int output_w, int output_h,
                       bool swapped, bool show_self) {
  CallLayout layout;
  const LayoutRect whole{0, 0, std::max(0, output_w), std::max(0, output_h)};
  layout.self_is_big = swapped && show_self;
  if (layout.self_is_big) {
    layout.self = letterbox(self_w, self_h, whole);
    layout.remote = self_view_rect(remote_w, remote_h, output_w, output_h);
  } else {
    layout.remote = letterbox(remote_w, remote_h, whole);
    if (show_self) layout.self = self_view_rect(self_w, self_h, output_w, output_h);
  }
  if (layout.remote.w <= 0 || layout.remote.h <= 0) layout.remote.w = layout.remote.h = 0;
  if (layout.self.w <= 0 || layout.self.h <= 0) layout.self.w = layout.self.h = 0;
  return layout;
}

LayoutRect corner_label(LayoutRect picture, int label_w, int label_h, int margin) {
  const int x = picture.x + margin;
  const int y = std::max(picture.y, picture.y + picture.h - margin - label_h);
  return {x, y, std::max(0, label_w), std::max(0, label_h)};
}

}  // namespace peercall
