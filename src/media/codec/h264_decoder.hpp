#pragma once
// H.264 decoder (libavcodec's native h264) tuned for real time: one access
// unit in, its picture out at once. Our streams have no B-frames, so low-delay
// mode never holds a picture back for reordering. Single-threaded object.
#include <cstdint>
#include <memory>
#include <optional>

#include "core/result.hpp"
#include "media/ffmpeg/ffmpeg_ptr.hpp"
#include "media/frames.hpp"

namespace peercall {

class H264Decoder {
 public:
  static Result<std::unique_ptr<H264Decoder>> create();

  // One Annex B access unit in, at most one picture out. nullopt only for an
  // access unit without slices (e.g. SPS/PPS alone). An Error (garbage,
  // corrupt slices, missing SPS/PPS, a picture decoded with concealment)
  // means: request a keyframe (PLI). The decoder stays usable afterwards.
  Result<std::optional<VideoFrame>> decode(const EncodedFrame& access_unit);

  uint64_t frames_decoded() const { return next_index_; }

 private:
  explicit H264Decoder(CodecContextPtr ctx);
  Result<VideoFrame> copy_out(const AVFrame& picture);

  CodecContextPtr ctx_;
  PacketPtr packet_;
  FramePtr picture_;
  FramePtr spare_;
  SwsContextPtr converter_;  // only for streams that are not 8-bit 4:2:0
  uint64_t next_index_ = 0;
};

}  // namespace peercall
