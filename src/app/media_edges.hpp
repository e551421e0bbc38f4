#pragma once
// The devices and files at both ends of the pipeline: sources with their
// encoders (SendPipeline) and the window, speaker, files and decoders
// (ReceivePipeline). Opened before the call is set up, so a missing camera or
// an unwritable file fails in one line before anyone is called.
#include <functional>
#include <memory>
#include <vector>

#include "app/media_options.hpp"
#include "app/receive_pipeline.hpp"
#include "app/send_pipeline.hpp"

namespace peercall {

class VideoWindow;
class SpeakerSink;
class Y4mWriter;
class WavWriter;
class MkvRecorder;
class EchoReference;

struct MediaEdges {
  std::unique_ptr<VideoWindow> window;
  std::unique_ptr<SpeakerSink> speaker;
  std::unique_ptr<Y4mWriter> y4m;
  std::unique_ptr<WavWriter> wav;
  std::unique_ptr<MkvRecorder> recorder;
  std::vector<std::unique_ptr<VideoSink>> adapters;
  std::unique_ptr<SendPipeline> send;
  std::unique_ptr<ReceivePipeline> receive;
  // What the speaker plays, for the microphone's echo canceller (when both are used).
  std::shared_ptr<EchoReference> echo_reference;
  bool showing_alternate_ = false;  // the p key switched away from --video

  MediaEdges();
  ~MediaEdges();

  // `callbacks` get the encoded frames (on the encoder threads).
  Result<Done> open_sources(const MediaOptions& options, bool also_receives, SendPipeline::Callbacks callbacks);
  Result<Done> open_window(const MediaOptions& options, bool sends, bool receives);
  Result<Done> open_sinks(const MediaOptions& options, std::function<void()> on_keyframe_needed);
  // Main thread: camera <-> screen (the p key). The new source is opened
  // here, so a missing display fails in one line and the call goes on.
  Result<Done> toggle_screen_share(const MediaOptions& options);
  // Flushes and closes the files (the recording stays playable).
  void close();
};

}  // namespace peercall
