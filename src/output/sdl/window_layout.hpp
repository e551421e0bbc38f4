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

// Both pictures of a call: one letterboxed in the whole output, the other as
// the picture in picture. Normally the remote one is big; `swapped` (the w
// key) makes the self view big. Without a self view nothing is small and the
// remote picture is big whatever `swapped` says. Sizes <= 0 mean "no
// picture": its rectangle is empty.
struct CallLayout {
  LayoutRect remote;
  LayoutRect self;
  bool self_is_big = false;
};
CallLayout call_layout(int remote_w, int remote_h, int self_w, int self_h, int output_w, int output_h,
                       bool swapped, bool show_self);

// A label of label_w x label_h in the bottom-left corner of `picture`, inset
// by `margin`, kept inside the picture as far as it fits (never left of or
// above the picture's origin).
LayoutRect corner_label(LayoutRect picture, int label_w, int label_h, int margin);

}  // namespace peercall
