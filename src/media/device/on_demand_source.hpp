#pragma once
// A capture device opened only while it is needed: the camera's light and the
// microphone stay off while a listener waits for a call, while the camera is
// switched off, and between viewers of a stream. Opened once at start-up to
// check that it works (a missing camera fails in one line before anyone is
// called) and to learn what it is, then closed; read() opens it again, and
// suspend() closes it until the next read().
#include <functional>
#include <memory>
#include <mutex>

#include "core/result.hpp"
#include "media/audio_source.hpp"
#include "media/video_source.hpp"

namespace peercall {

template <class Source>
class OnDemandSource;

// Shared part of the video and audio wrappers: the factory, the open device
// and why opening failed. Only the capture thread calls read()/suspend();
// interrupt() may come from any thread, hence the lock.
template <class Source>
class OnDemandDevice {
 public:
  using Factory = std::function<Result<std::unique_ptr<Source>>()>;

  explicit OnDemandDevice(Factory factory) : factory_(std::move(factory)) {}

  // The open device, opening it if needed; nullptr (with error()) on failure.
  Source* acquire() {
    std::lock_guard lock(mu_);
    if (interrupted_) return nullptr;
    if (!source_) {
      auto opened = factory_();
      if (!opened) {
        error_ = opened.error();
        return nullptr;
      }
      source_ = std::move(*opened);
    }
    return source_.get();
  }
  void release() {
    std::unique_ptr<Source> closing;
    {
      std::lock_guard lock(mu_);
      closing = std::move(source_);
    }
  }
  void interrupt() {
    std::lock_guard lock(mu_);
    interrupted_ = true;
    if (source_) source_->interrupt();
  }
  std::string error() const {
    std::lock_guard lock(mu_);
    if (!error_.empty()) return error_;
    return source_ ? source_->error() : std::string();
  }

 private:
  Factory factory_;
  mutable std::mutex mu_;
  std::unique_ptr<Source> source_;
  std::string error_;
  bool interrupted_ = false;
};

class OnDemandVideoSource final : public VideoSource {
 public:
  // `probe` is the device opened once by the caller; it is closed here.
  OnDemandVideoSource(std::unique_ptr<VideoSource> probe, OnDemandDevice<VideoSource>::Factory factory)
      : device_(std::move(factory)),
        describe_(probe->describe()),
        frame_rate_(probe->frame_rate()),
        screen_content_(probe->screen_content()) {}

  std::optional<VideoFrame> read() override {
    VideoSource* source = device_.acquire();
    return source ? source->read() : std::nullopt;
  }
  void interrupt() override { device_.interrupt(); }
  bool suspend() override {
    device_.release();
    return true;
  }
  std::string describe() const override { return describe_; }
  std::string error() const override { return device_.error(); }
  double frame_rate() const override { return frame_rate_; }
  bool screen_content() const override { return screen_content_; }

 private:
  OnDemandDevice<VideoSource> device_;
  std::string describe_;
  double frame_rate_;
  bool screen_content_;
};

class OnDemandAudioSource final : public AudioSource {
 public:
  OnDemandAudioSource(std::unique_ptr<AudioSource> probe, OnDemandDevice<AudioSource>::Factory factory)
      : device_(std::move(factory)), describe_(probe->describe()) {}

  std::optional<AudioFrame> read() override {
    AudioSource* source = device_.acquire();
    return source ? source->read() : std::nullopt;
  }
  void interrupt() override { device_.interrupt(); }
  bool suspend() override {
    device_.release();
    return true;
  }
  std::string describe() const override { return describe_; }
  std::string error() const override { return device_.error(); }

 private:
  OnDemandDevice<AudioSource> device_;
  std::string describe_;
};

}  // namespace peercall
