#pragma once
// Writes received audio (48 kHz mono s16) as WAV. To a file, the header's sizes
// are patched at close() and refreshed every second of audio while writing, so
// a killed process still leaves a valid file. To a pipe or stdout ("-") the
// header carries 0xFFFFFFFF sizes, like FFmpeg writes for unseekable output.
#include <cstdint>
#include <memory>
#include <string>

#include "core/result.hpp"
#include "output/audio_sink.hpp"
#include "output/file/output_file.hpp"

namespace peercall {

class WavWriter : public AudioSink {
 public:
  static constexpr size_t kHeaderSize = 44;
  // Counted in samples, not wall time, so files are the same on every run.
  static constexpr uint64_t kRefreshSamples = kAudioSampleRate;

  // Error: "wav output 'x.wav': Permission denied". Writes the header at once.
  static Result<std::unique_ptr<WavWriter>> open(const std::string& path_or_dash);
  ~WavWriter() override;

  // Writes synchronously: 20 ms of audio is 1920 bytes, far below a pipe's buffer.
  void on_audio(const AudioFrame& frame) override;
  // Patches the final sizes and closes. Idempotent.
  void close() override;

  uint64_t samples_written() const { return samples_; }
  uint64_t frames_dropped() const { return dropped_; }
  // Why the output stopped, e.g. "wav output '-': Broken pipe".
  const std::string& error() const { return error_; }
  // Told once when the output fails (after open()).
  void on_failure(OutputFailureHandler handler) { on_failure_ = std::move(handler); }

 private:
  explicit WavWriter(std::unique_ptr<OutputFile> out) : out_(std::move(out)) {}
  void patch_sizes();

  std::unique_ptr<OutputFile> out_;
  uint64_t samples_ = 0;
  uint64_t since_refresh_ = 0;
  uint64_t dropped_ = 0;
  std::string error_;
  OutputFailureHandler on_failure_;
  bool reported_ = false;
  void failed();  // records and reports out_'s error once
};

}  // namespace peercall
