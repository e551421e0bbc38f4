#pragma once
// Turns --video / --audio into sources. "auto" picks the camera or microphone
// when one exists and the test pattern or tone otherwise, with a notice;
// --audio auto beside a --video file takes that file's own sound track.
// Options width/height/fps of 0 mean "not given": a file or the screen keeps
// its own size and rate, the camera and test pattern take 1280x720 at 30
// (the screen 15 fps). Pipes, FIFOs and stream URLs are read as live inputs.
#include <memory>
#include <string>

#include "app/media_options.hpp"
#include "core/result.hpp"
#include "media/audio_source.hpp"
#include "media/video_source.hpp"

namespace peercall {

// nullptr in the value means "none" (the user asked for no video / audio).
Result<std::unique_ptr<VideoSource>> open_video_source(const MediaOptions& options);
Result<std::unique_ptr<AudioSource>> open_audio_source(const MediaOptions& options);

}  // namespace peercall
