#pragma once
// Test-only helpers around libavcodec/libswscale: an H.264 round trip and a
// bilinear rescale of I420 frames. Deliberately independent of the project's
// encoder wrapper (written in parallel) so these tests pin the stamp alone.
extern "C" {
#include <libavcodec/avcodec.h>
#include <libavutil/opt.h>
#include <libswscale/swscale.h>
}

#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

namespace peercall::test {

// FFmpeg frees most handles through a pointer to the pointer.
template <class T, void (*Free)(T**)>
struct FreeVia {
  void operator()(T* p) const { Free(&p); }
};
using CodecContextPtr = std::unique_ptr<AVCodecContext, FreeVia<AVCodecContext, avcodec_free_context>>;
using FramePtr = std::unique_ptr<AVFrame, FreeVia<AVFrame, av_frame_free>>;
using PacketPtr = std::unique_ptr<AVPacket, FreeVia<AVPacket, av_packet_free>>;
using SwsPtr = std::unique_ptr<SwsContext, decltype(&sws_freeContext)>;

// A tightly packed I420 picture.
struct Picture {
  int width = 0, height = 0;
  std::vector<uint8_t> i420;
  const uint8_t* y() const { return i420.data(); }
};

inline void copy_plane(uint8_t* dst, int dst_stride, const uint8_t* src, int src_stride, int w, int h) {
  for (int r = 0; r < h; ++r) std::memcpy(dst + size_t(r) * dst_stride, src + size_t(r) * src_stride, size_t(w));
}

inline Picture from_av_frame(const AVFrame& f) {
  Picture p{f.width, f.height, std::vector<uint8_t>(size_t(f.width) * f.height * 3 / 2)};
  uint8_t* u = p.i420.data() + size_t(f.width) * f.height;
  uint8_t* v = u + size_t(f.width / 2) * (f.height / 2);
  copy_plane(p.i420.data(), f.width, f.data[0], f.linesize[0], f.width, f.height);
  copy_plane(u, f.width / 2, f.data[1], f.linesize[1], f.width / 2, f.height / 2);
  copy_plane(v, f.width / 2, f.data[2], f.linesize[2], f.width / 2, f.height / 2);
  return p;
}

// Bilinear rescale of a packed I420 picture (as a player or SFU might do).
inline Picture rescale(const uint8_t* i420, int w, int h, int out_w, int out_h) {
  SwsPtr sws(sws_getContext(w, h, AV_PIX_FMT_YUV420P, out_w, out_h, AV_PIX_FMT_YUV420P, SWS_BILINEAR,
                            nullptr, nullptr, nullptr),
             &sws_freeContext);
  if (!sws) return {};
  Picture out{out_w, out_h, std::vector<uint8_t>(size_t(out_w) * out_h * 3 / 2)};
  const uint8_t* src[3] = {i420, i420 + size_t(w) * h, i420 + size_t(w) * h + size_t(w / 2) * (h / 2)};
  const int src_stride[3] = {w, w / 2, w / 2};
  uint8_t* dst[3] = {out.i420.data(), out.i420.data() + size_t(out_w) * out_h,
                     out.i420.data() + size_t(out_w) * out_h + size_t(out_w / 2) * (out_h / 2)};
  const int dst_stride[3] = {out_w, out_w / 2, out_w / 2};
  sws_scale(sws.get(), src, src_stride, 0, h, dst, dst_stride);
  return out;
}

// Encodes packed I420 pictures with libx264 (veryfast, zerolatency, the given
// bit rate) and decodes them with FFmpeg's h264 decoder. Returns the decoded
// pictures in order (fewer than given if anything failed) and the size of the
// bitstream, so a test can check the encoder really squeezed them.
struct RoundTrip {
  std::vector<Picture> pictures;
  size_t encoded_bytes = 0;
};
inline RoundTrip h264_round_trip(const std::vector<std::vector<uint8_t>>& frames, int w, int h, int fps,
                                 int64_t bit_rate) {
  RoundTrip result;
  std::vector<Picture>& out = result.pictures;
  av_log_set_level(AV_LOG_ERROR);  // libx264 reports its statistics at info level
  const AVCodec* enc_codec = avcodec_find_encoder_by_name("libx264");
  const AVCodec* dec_codec = avcodec_find_decoder(AV_CODEC_ID_H264);
  if (!enc_codec || !dec_codec) return result;
  CodecContextPtr enc(avcodec_alloc_context3(enc_codec));
  enc->width = w;
  enc->height = h;
  enc->pix_fmt = AV_PIX_FMT_YUV420P;
  enc->time_base = AVRational{1, fps};
  enc->framerate = AVRational{fps, 1};
  enc->bit_rate = bit_rate;
  enc->gop_size = fps * 2;
  enc->max_b_frames = 0;
  av_opt_set(enc->priv_data, "preset", "veryfast", 0);
  av_opt_set(enc->priv_data, "tune", "zerolatency", 0);
  if (avcodec_open2(enc.get(), enc_codec, nullptr) < 0) return result;
  CodecContextPtr dec(avcodec_alloc_context3(dec_codec));
  if (avcodec_open2(dec.get(), dec_codec, nullptr) < 0) return result;

  FramePtr in(av_frame_alloc()), decoded(av_frame_alloc());
  PacketPtr pkt(av_packet_alloc());
  auto drain_decoder = [&] {
    while (avcodec_receive_frame(dec.get(), decoded.get()) == 0) {
      out.push_back(from_av_frame(*decoded));
      av_frame_unref(decoded.get());
    }
  };
  auto drain_encoder = [&] {
    while (avcodec_receive_packet(enc.get(), pkt.get()) == 0) {
      result.encoded_bytes += static_cast<size_t>(pkt->size);
      avcodec_send_packet(dec.get(), pkt.get());
      av_packet_unref(pkt.get());
      drain_decoder();
    }
  };
  for (size_t i = 0; i < frames.size(); ++i) {
    in->format = AV_PIX_FMT_YUV420P;
    in->width = w;
    in->height = h;
    if (av_frame_get_buffer(in.get(), 0) < 0) return result;
    const uint8_t* y = frames[i].data();
    const uint8_t* u = y + size_t(w) * h;
    const uint8_t* v = u + size_t(w / 2) * (h / 2);
    copy_plane(in->data[0], in->linesize[0], y, w, w, h);
    copy_plane(in->data[1], in->linesize[1], u, w / 2, w / 2, h / 2);
    copy_plane(in->data[2], in->linesize[2], v, w / 2, w / 2, h / 2);
    in->pts = static_cast<int64_t>(i);
    avcodec_send_frame(enc.get(), in.get());
    av_frame_unref(in.get());
    drain_encoder();
  }
  avcodec_send_frame(enc.get(), nullptr);
  drain_encoder();
  avcodec_send_packet(dec.get(), nullptr);
  drain_decoder();
  return result;
}

}  // namespace peercall::test
