#pragma once
// Picture geometry shared by the sender and the y4m writer: which sizes the
// H.264 encoder takes, the size to encode a source at, and where a picture
// goes inside another size without distorting it (fit with black borders:
// letterbox for wider sources, pillarbox for taller ones). Pure functions.
#include <optional>
#include <string>

namespace peercall {

struct PictureSize {
  int width = 0;
  int height = 0;
  bool operator==(const PictureSize&) const = default;
};

// What the encoder accepts (and --size allows): level 5.1 territory, and at
// least one macroblock row. Both dimensions must also be even (I420).
inline constexpr int kMinEncodeWidth = 16, kMaxEncodeWidth = 4096;
inline constexpr int kMinEncodeHeight = 16, kMaxEncodeHeight = 2304;

// "" if --size WxH is one the encoder can take (after rounding to even),
// otherwise the one-line reason: "width and height must be 16-4096 x 16-2304".
std::string check_encode_size(int width, int height);

// The size to encode at. `requested` (from --size) is rounded down to even;
// without it, the source's own size rounded down to even, shrunk (keeping the
// aspect) to fit the encoder's maximum and grown to its minimum.
PictureSize encode_size(PictureSize source, std::optional<PictureSize> requested);

// The even-aligned rectangle inside `outer` where a picture of `inner`'s
// aspect goes when scaled as large as fits (centred; the rest is border).
struct FitRect {
  int x = 0, y = 0, width = 0, height = 0;
  bool operator==(const FitRect&) const = default;
};
FitRect fit_inside(PictureSize inner, PictureSize outer);

}  // namespace peercall
