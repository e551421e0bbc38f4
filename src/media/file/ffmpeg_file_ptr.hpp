#pragma once
// Owning pointers for the FFmpeg handles that files need beyond the codecs'
// ones (demuxers, muxers, resamplers, parsers), so every exit path, including
// errors half-way through opening, frees exactly what was allocated.
#include <memory>
#include <string>

#include "media/codec/ffmpeg_ptr.hpp"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/error.h>
#include <libswresample/swresample.h>
}

namespace peercall {

struct InputFormatDeleter {
  void operator()(AVFormatContext* c) const { avformat_close_input(&c); }
};
struct OutputFormatDeleter {
  // The owner closes ctx->pb itself (after the trailer); this frees the rest.
  void operator()(AVFormatContext* c) const { avformat_free_context(c); }
};
struct SwrContextDeleter {
  void operator()(SwrContext* s) const { swr_free(&s); }
};
struct ParserDeleter {
  void operator()(AVCodecParserContext* p) const { av_parser_close(p); }
};

using InputFormatPtr = std::unique_ptr<AVFormatContext, InputFormatDeleter>;
using OutputFormatPtr = std::unique_ptr<AVFormatContext, OutputFormatDeleter>;
using SwrContextPtr = std::unique_ptr<SwrContext, SwrContextDeleter>;
using ParserPtr = std::unique_ptr<AVCodecParserContext, ParserDeleter>;

// "No such file or directory" for AVERROR(ENOENT), etc.
inline std::string av_error_text(int err) {
  char buf[AV_ERROR_MAX_STRING_SIZE] = {};
  av_strerror(err, buf, sizeof buf);
  return buf;
}

}  // namespace peercall
