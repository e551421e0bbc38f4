#include "test_media.hpp"

#include <fcntl.h>
#include <opus/opus.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "media/ffmpeg/ffmpeg_ptr.hpp"

extern "C" {
#include <libavutil/log.h>
#include <libavutil/opt.h>
}

namespace peercall::test {

TempDir::TempDir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "peercall-file-XXXXXX").string();
  if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
  dir_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

bool ffmpeg(const std::string& args) {
  return std::system(("ffmpeg -nostdin -y -loglevel error " + args).c_str()) == 0;
}

std::string shell(const std::string& command) {
  std::string out;
  FILE* p = popen(command.c_str(), "r");
  if (!p) return out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  pclose(p);
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

Probed probe(const std::string& path) {
  Probed out;
  const auto j = nlohmann::json::parse(
      shell("ffprobe -v error -count_frames -show_entries stream=codec_type,codec_name,width,height,sample_rate,"
            "channels,nb_read_frames,r_frame_rate:format=duration -of json '" + path + "'"),
      nullptr, false);
  if (j.is_discarded()) return out;
  // ffprobe prints some numbers as strings.
  auto number = [](const nlohmann::json& v) -> double {
    if (v.is_number()) return v.get<double>();
    if (v.is_string() && !v.get<std::string>().empty() && v.get<std::string>() != "N/A") return std::stod(v.get<std::string>());
    return -1;
  };
  for (const auto& s : j.value("streams", nlohmann::json::array())) {
    ProbedStream p;
    p.codec_name = s.value("codec_name", "");
    p.width = int(number(s.value("width", nlohmann::json())));
    p.height = int(number(s.value("height", nlohmann::json())));
    p.sample_rate = int(number(s.value("sample_rate", nlohmann::json())));
    p.channels = int(number(s.value("channels", nlohmann::json())));
    p.frames = long(number(s.value("nb_read_frames", nlohmann::json())));
    p.frame_rate = s.value("r_frame_rate", "");
    (s.value("codec_type", "") == "video" ? out.video : out.audio).push_back(p);
  }
  if (j.contains("format")) out.duration = number(j["format"].value("duration", nlohmann::json()));
  return out;
}

Bytes read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), {});
}

VideoFrame pattern_frame(int width, int height, uint64_t index) {
  auto buf = std::make_shared<std::vector<uint8_t>>(VideoFrame::buffer_size(width, height));
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) (*buf)[size_t(y) * width + x] = uint8_t(x + y * 2 + index * 7);
  }
  std::fill(buf->begin() + width * height, buf->end(), uint8_t(64 + index));
  VideoFrame f;
  f.width = width;
  f.height = height;
  f.i420 = std::move(buf);
  f.index = index;
  return f;
}

StdioPipe::StdioPipe(int stdio_fd) : stdio_fd_(stdio_fd) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  const bool is_stdin = stdio_fd == STDIN_FILENO;
  saved_ = dup(stdio_fd);
  dup2(is_stdin ? fds[0] : fds[1], stdio_fd);
  ::close(is_stdin ? fds[0] : fds[1]);
  ours_ = is_stdin ? fds[1] : fds[0];
}

StdioPipe::~StdioPipe() {
  restore();
  close_our_end();
}

void StdioPipe::close_our_end() {
  if (ours_ >= 0) ::close(ours_);
  ours_ = -1;
}

void StdioPipe::restore() {
  if (saved_ < 0) return;
  dup2(saved_, stdio_fd_);
  ::close(saved_);
  saved_ = -1;
}

Bytes read_all(int fd) {
  Bytes out;
  uint8_t buf[65536];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return out;
    out.insert(out.end(), buf, buf + n);
  }
}

bool write_all(int fd, ByteView data) {
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += size_t(n);
  }
  return true;
}

std::vector<EncodedFrame> encode_h264(int frames, int width, int height, int fps, int gop, Instant base) {
  std::vector<EncodedFrame> out;
  av_log_set_level(AV_LOG_ERROR);  // libx264's statistics are noise here
  const AVCodec* codec = avcodec_find_encoder_by_name("libx264");
  if (!codec) return out;
  CodecContextPtr enc(avcodec_alloc_context3(codec));
  enc->width = width;
  enc->height = height;
  enc->pix_fmt = AV_PIX_FMT_YUV420P;
  enc->time_base = {1, fps};
  enc->framerate = {fps, 1};
  enc->gop_size = gop;
  enc->max_b_frames = 0;
  enc->thread_count = 1;
  av_opt_set(enc->priv_data, "preset", "ultrafast", 0);
  av_opt_set(enc->priv_data, "tune", "zerolatency", 0);
  if (avcodec_open2(enc.get(), codec, nullptr) < 0) return out;
  FramePtr frame(av_frame_alloc());
  frame->format = AV_PIX_FMT_YUV420P;
  frame->width = width;
  frame->height = height;
  av_frame_get_buffer(frame.get(), 0);
  PacketPtr pkt(av_packet_alloc());
  auto drain = [&] {
    while (avcodec_receive_packet(enc.get(), pkt.get()) == 0) {
      EncodedFrame e;
      e.data.assign(pkt->data, pkt->data + pkt->size);
      e.keyframe = pkt->flags & AV_PKT_FLAG_KEY;
      e.capture_time = base + microseconds(pkt->pts * 1'000'000 / fps);
      e.rtp_timestamp = uint32_t(pkt->pts * kVideoClockRate / fps);
      out.push_back(std::move(e));
      av_packet_unref(pkt.get());
    }
  };
  for (int i = 0; i < frames; ++i) {
    av_frame_make_writable(frame.get());
    const VideoFrame p = pattern_frame(width, height, uint64_t(i));
    for (int plane = 0; plane < 3; ++plane) {
      const uint8_t* src = plane == 0 ? p.y() : plane == 1 ? p.u() : p.v();
      const int w = plane ? width / 2 : width;
      for (int row = 0; row < (plane ? height / 2 : height); ++row) {
        std::copy_n(src + size_t(row) * w, w, frame->data[plane] + size_t(row) * frame->linesize[plane]);
      }
    }
    frame->pts = i;
    avcodec_send_frame(enc.get(), frame.get());
    drain();
  }
  avcodec_send_frame(enc.get(), nullptr);
  drain();
  return out;
}

std::vector<EncodedFrame> encode_opus(int packets, Instant base) {
  std::vector<EncodedFrame> out;
  int err = 0;
  OpusEncoder* enc = opus_encoder_create(kAudioSampleRate, 1, OPUS_APPLICATION_VOIP, &err);
  if (!enc) return out;
  std::vector<int16_t> pcm(kAudioFrameSamples);
  uint8_t buf[1500];
  for (int i = 0; i < packets; ++i) {
    for (int s = 0; s < kAudioFrameSamples; ++s) {
      const double t = double(i * kAudioFrameSamples + s) / kAudioSampleRate;
      pcm[size_t(s)] = int16_t(8000 * std::sin(2 * M_PI * 1000 * t));
    }
    const int n = opus_encode(enc, pcm.data(), kAudioFrameSamples, buf, sizeof buf);
    if (n <= 0) break;
    EncodedFrame e;
    e.data.assign(buf, buf + n);
    e.keyframe = true;
    e.rtp_timestamp = uint32_t(i * kAudioFrameSamples);
    e.capture_time = base + milliseconds(20 * i);
    out.push_back(std::move(e));
  }
  opus_encoder_destroy(enc);
  return out;
}

int zero_crossings(const std::vector<int16_t>& samples) {
  int n = 0;
  for (size_t i = 1; i < samples.size(); ++i) {
    if ((samples[i - 1] < 0) != (samples[i] < 0)) ++n;
  }
  return n;
}

}  // namespace peercall::test
