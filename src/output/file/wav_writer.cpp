#include "output/file/wav_writer.hpp"

#include <bit>


namespace peercall {
namespace {

constexpr uint32_t kUnknownSize = 0xFFFFFFFF;
constexpr uint64_t kMaxDataBytes = kUnknownSize - (WavWriter::kHeaderSize - 8);  // RIFF size must fit 32 bits
constexpr size_t kRiffSizeOffset = 4;
constexpr size_t kDataSizeOffset = 40;

void le16(Bytes& out, uint16_t v) {
  out.push_back(uint8_t(v));
  out.push_back(uint8_t(v >> 8));
}
void le32(Bytes& out, uint32_t v) {
  le16(out, uint16_t(v));
  le16(out, uint16_t(v >> 16));
}
void tag(Bytes& out, const char (&fourcc)[5]) {
  for (int i = 0; i < 4; ++i) out.push_back(uint8_t(fourcc[i]));
}

Bytes header(uint32_t riff_size, uint32_t data_size) {
  Bytes h;
  tag(h, "RIFF");
  le32(h, riff_size);
  tag(h, "WAVE");
  tag(h, "fmt ");
  le32(h, 16);  // PCM fmt chunk size
  le16(h, 1);   // WAVE_FORMAT_PCM
  le16(h, 1);   // mono
  le32(h, kAudioSampleRate);
  le32(h, kAudioSampleRate * 2);  // bytes per second
  le16(h, 2);                     // block align
  le16(h, 16);                    // bits per sample
  tag(h, "data");
  le32(h, data_size);
  return h;
}

}  // namespace

Result<std::unique_ptr<WavWriter>> WavWriter::open(const std::string& path_or_dash) {
  auto out = OutputFile::open(path_or_dash, "wav output");
  if (!out) return Error{out.error()};
  std::unique_ptr<WavWriter> w(new WavWriter(std::move(*out)));
  // A file starts as a valid empty WAV; a pipe never learns its length.
  const Bytes h = w->out_->seekable() ? header(kHeaderSize - 8, 0) : header(kUnknownSize, kUnknownSize);
  if (!w->out_->write({h})) return Error(w->out_->error());
  return w;
}

WavWriter::~WavWriter() { close(); }

void WavWriter::on_audio(const AudioFrame& frame) {
  if (frame.samples.empty()) return;
  const uint64_t bytes = frame.samples.size() * 2;
  if (!out_->is_open() || samples_ * 2 + bytes > kMaxDataBytes) {
    ++dropped_;
    return;
  }
  ByteView data(reinterpret_cast<const uint8_t*>(frame.samples.data()), bytes);
  Bytes swapped;
  if constexpr (std::endian::native == std::endian::big) {
    for (int16_t s : frame.samples) le16(swapped, uint16_t(s));
    data = swapped;
  }
  if (!out_->write({data})) {
    failed();
    ++dropped_;
    return;
  }
  samples_ += frame.samples.size();
  since_refresh_ += frame.samples.size();
  if (since_refresh_ >= kRefreshSamples) patch_sizes();
}

void WavWriter::patch_sizes() {
  since_refresh_ = 0;
  if (!out_->seekable()) return;
  const uint32_t data_bytes = uint32_t(samples_ * 2);
  Bytes riff;
  le32(riff, uint32_t(kHeaderSize - 8 + data_bytes));
  Bytes data;
  le32(data, data_bytes);
  if (!out_->write_at(kRiffSizeOffset, riff) || !out_->write_at(kDataSizeOffset, data)) failed();
}

void WavWriter::failed() {
  error_ = out_->error();
  if (reported_ || error_.empty()) return;
  reported_ = true;
  report_output_failure(on_failure_, {error_, out_->reader_left()});
}

void WavWriter::close() {
  if (!out_->is_open()) return;
  patch_sizes();
  out_->close();
}

}  // namespace peercall
