#pragma once
// Audio from any file libavformat reads (wav, mp3, the audio track of an mp4),
// resampled to 48 kHz mono s16, cut into 20 ms frames and handed out in real
// time, optionally looping; from a live input (a wav FIFO) as they arrive.
#include <memory>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "media/audio_source.hpp"
#include "media/ffmpeg/ffmpeg_ptr.hpp"
#include "media/file/media_file_reader.hpp"
#include "media/file/realtime_pacer.hpp"

namespace peercall {

struct FileAudioSourceConfig {
  std::string path;
  bool loop = false;
  bool realtime = true;  // false: no pacing, frames as fast as read() is called
  // A live input (is_live_input): minimal probing, 20 ms demuxer packets, and
  // each frame handed out as soon as its samples arrived, never paced again.
  bool live = false;
};

class FileAudioSource : public AudioSource {
 public:
  // Error: "audio file 'x.wav': No such file or directory", "...: no audio stream".
  static Result<std::unique_ptr<FileAudioSource>> open(const FileAudioSourceConfig& config);
  ~FileAudioSource() override;

  // kAudioFrameSamples samples when due (the last one padded with silence);
  // nullopt at the end, on failure or once interrupted.
  std::optional<AudioFrame> read() override;
  void interrupt() override;
  std::string describe() const override;
  std::string error() const override { return error_; }

 private:
  FileAudioSource() = default;
  bool resample(const AVFrame* in);  // nullptr flushes the resampler's delay
  bool configure(const AVFrame& in);

  FileAudioSourceConfig config_;
  std::unique_ptr<MediaFileReader> reader_;
  RealtimePacer pacer_;
  SwrContextPtr swr_;
  int in_rate_ = 0;
  int in_format_ = -1;
  AVChannelLayout in_layout_{};
  std::vector<int16_t> pending_;  // resampled, not yet handed out
  bool ended_ = false;
  uint64_t frames_out_ = 0;
  std::string error_;
};

}  // namespace peercall
