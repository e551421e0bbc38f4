// peercall-testsrc: the test pattern (with its stamp) as live y4m on stdout,
// paced like a camera, so other pipelines (the ffmpeg baseline in bench/) can
// be measured with the same instrument as peercall.
//   peercall-testsrc [--size WxH] [--fps N] [--duration S]
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "media/synthetic/test_pattern.hpp"

using namespace peercall;

int main(int argc, char** argv) {
  int width = 1280, height = 720, fps = 30;
  double duration = 20;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--size")) std::sscanf(argv[i + 1], "%dx%d", &width, &height);
    if (!std::strcmp(argv[i], "--fps")) fps = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--duration")) duration = std::atof(argv[i + 1]);
  }
  std::signal(SIGPIPE, SIG_IGN);
  TestPatternSource source(width, height, fps);
  std::printf("YUV4MPEG2 W%d H%d F%d:1 Ip A1:1 C420jpeg\n", width, height, fps);
  const auto frames = static_cast<uint64_t>(duration * fps);
  for (uint64_t i = 0; i < frames; ++i) {
    auto frame = source.read();
    if (!frame) break;
    std::fputs("FRAME\n", stdout);
    if (std::fwrite(frame->i420->data(), 1, frame->i420->size(), stdout) != frame->i420->size()) break;
    std::fflush(stdout);
  }
  return 0;
}
