#pragma once
// Where things go in the call window, as plain arithmetic so it can be tested
// without a display.
namespace peercall {

struct LayoutRect {
  int x = 0, y = 0, w = 0, h = 0;
};

// The largest rectangle with the picture's aspect ratio that fits in `box`,
// centred (bars left/right or top/bottom). Empty if either side is empty.
LayoutRect letterbox(int picture_w, int picture_h, LayoutRect box);

// Picture in picture: about a quarter of the output width, the picture's
// aspect, in the bottom-right corner kSelfViewMargin pixels from the edges.
inline constexpr int kSelfViewMargin = 12;
LayoutRect self_view_rect(int picture_w, int picture_h, int output_w, int output_h);

// The picture's size, scaled down (never up) to fit within max_w x max_h,
// rounded to even sizes: the window's size once the first remote frame is known.
LayoutRect fit_within(int picture_w, int picture_h, int max_w, int max_h);

}  // namespace peercall
