#pragma once
// Real-time H.264 encoder (libx264 through libavcodec): one frame in, one
// Annex B access unit out, no lookahead and no B-frames, so encoding adds no
// frames of latency. Single-threaded object (x264 may use slice threads inside).
#include <array>
#include <memory>
#include <optional>

#include "core/result.hpp"
#include "media/ffmpeg/ffmpeg_ptr.hpp"
#include "media/frames.hpp"

namespace peercall {

struct H264EncoderConfig {
  int width = 1280, height = 720, fps = 30;
  int bitrate_bps = 1'500'000;  // the cap (and the ABR target when crf is 0)
  // Keyframes (IDRs) come only on request (RTCP PLI: a viewer joins or lost
  // a picture). Between them x264's periodic intra refresh sweeps a column
  // of intra macroblocks across the picture once per interval, so a damaged
  // picture heals without a periodic IDR and its quality dip (an IDR squeezed
  // into the VBV: PSNR-Y p5 26 dB at 720p 1.5 Mbit/s, against 35+ with
  // refresh). false: a periodic IDR every interval instead. 4 s, not 2: a
  // sweep half as wide per frame costs ~0.5 dB less at the same rate (with
  // subme=1: 40.3 against 39.7 dB PSNR-Y, 720p at 1.5 Mbit/s); a loss is repaired by
  // NACK, FEC or a PLI's IDR long before the sweep would heal it.
  bool intra_refresh = true;
  int keyframe_interval_s = 4;
  int threads = 0;  // 0 = auto
  // VBV buffer in frame intervals at the cap: how long the largest frame (an
  // IDR) may take to send. 1 keeps every frame within one interval but starves
  // keyframes (~8 dB below the P-frames around them); 1.5 lifts the keyframe
  // by ~7 dB for bursts of at most 50 ms at 30 fps.
  double vbv_frames = 1.5;
  // A keyframe asked for (a loss, a newcomer, the end of a collapse pause) may
  // take this many intervals: squeezed into 1.5, at a few hundred kbit/s its
  // picture stays too blurred to read for ~10 frames (measured: the picture
  // back after a 2 -> 0.3 Mbit/s drop was grey for 330 ms). The frames after
  // it pay the bits back through the VBV; it costs its link ~100 ms more.
  double keyframe_vbv_frames = 4;
  // Capped CRF: constant quality, never above bitrate_bps over the VBV. Spends
  // bits where the picture needs them instead of padding easy frames; 0 = ABR.
  // (Measured on the test pattern, 720p, cap 1.5 Mbit/s: crf 20 gives 40.3 dB
  // mean PSNR-Y at 1.16 Mbit/s; ABR at 1.5 Mbit/s gives 38.9 dB.)
  double crf = 20;
  // Screen content (text, flat areas, little motion): x264's stillimage
  // tuning and a lower CRF, spending the bits a lower frame rate saves.
  bool screen_content = false;
};

class H264Encoder {
 public:
  // Error with a one-line reason, e.g. "h264: libx264 encoder not available".
  static Result<std::unique_ptr<H264Encoder>> create(const H264EncoderConfig& config);

  // The frame must have the configured size (the app scales; we don't).
  // force_keyframe makes this frame an IDR with SPS/PPS (answering a PLI).
  // nullopt only if the encoder held the frame back, which this tuning avoids.
  Result<std::optional<EncodedFrame>> encode(const VideoFrame& frame, bool force_keyframe);

  // Retargets rate control from the next frame on (congestion control). The
  // FFmpeg 5.1 wrapper notices changed bit_rate / rc_max_rate / rc_buffer_size
  // before each frame and calls x264_encoder_reconfig; the tests verify it.
  void set_bitrate(int bps);
  int bitrate() const { return bitrate_bps_; }
  const H264EncoderConfig& config() const { return config_; }

 private:
  H264Encoder(const H264EncoderConfig& config, CodecContextPtr ctx);
  void apply_rate(int bps);
  void apply_vbv(double frames);

  H264EncoderConfig config_;
  CodecContextPtr ctx_;
  PacketPtr packet_;
  int bitrate_bps_ = 0;
  bool vbv_boosted_ = false;  // the last frame was a forced keyframe
  int64_t next_pts_ = 0;
  // Capture time by pts, so that it survives the trip through the encoder.
  std::array<Instant, 32> capture_times_{};
};

// The 90 kHz RTP timestamp of a capture instant (wraps, as RTP does).
inline uint32_t rtp_video_timestamp(Instant capture_time) {
  return static_cast<uint32_t>(to_micros(capture_time) * 9 / 100);
}

}  // namespace peercall
