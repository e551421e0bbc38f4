#pragma once
// Scales tight I420 frames to another size (swscale, bilinear): sources whose
// size differs from the encoder's (fitted, keeping the aspect), the y4m
// writer after a size change, and the picture-in-picture thumbnail.
// Keeps one SwsContext per size pair. Single-threaded object.
#include <map>
#include <tuple>

#include "media/ffmpeg/ffmpeg_ptr.hpp"
#include "media/frames.hpp"

namespace peercall {

class VideoScaler {
 public:
  // A frame of width x height (both even, > 0) with the same capture_time and
  // index. Same size in -> the same buffer out, no copy. An empty frame if
  // the input is incomplete or the size impossible (the encoder then rejects
  // it), so the pipeline needs no separate error path.
  VideoFrame scale(const VideoFrame& in, int width, int height);
  // As scale(), but keeping the picture's aspect: scaled as large as fits
  // and centred, the rest black (letterbox / pillarbox). See frame_fit.hpp.
  VideoFrame fit(const VideoFrame& in, int width, int height);

  size_t cached_contexts() const { return contexts_.size(); }

 private:
  using SizePair = std::tuple<int, int, int, int>;  // in w, in h, out w, out h
  static constexpr size_t kMaxContexts = 8;  // sizes change rarely; bound it anyway

  SwsContext* context(int in_w, int in_h, int out_w, int out_h);

  std::map<SizePair, SwsContextPtr> contexts_;
};

}  // namespace peercall
