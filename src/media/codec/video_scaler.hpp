#pragma once
// Scales tight I420 frames to another size (swscale, bilinear): sources whose
// size differs from the encoder's, and the picture-in-picture thumbnail.
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

  size_t cached_contexts() const { return contexts_.size(); }

 private:
  using SizePair = std::tuple<int, int, int, int>;  // in w, in h, out w, out h
  static constexpr size_t kMaxContexts = 8;  // sizes change rarely; bound it anyway

  std::map<SizePair, SwsContextPtr> contexts_;
};

}  // namespace peercall
