#pragma once
// Shared by the device tests: SDL reads its driver choice at subsystem init,
// and every device class releases the subsystem when destroyed, so each test
// may pick its own driver.
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>

namespace peercall::test {

inline void use_audio_driver(const char* driver) { ::setenv("SDL_AUDIODRIVER", driver, 1); }

// Polls `done` until it holds or a generous deadline passes (no timing asserts:
// the deadline only stops a broken test from hanging).
template <class Pred>
bool eventually(Pred done, std::chrono::milliseconds deadline = std::chrono::seconds(5)) {
  const auto end = std::chrono::steady_clock::now() + deadline;
  while (!done()) {
    if (std::chrono::steady_clock::now() > end) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

// A fresh directory removed at scope exit.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "peercall-sdl-XXXXXX").string();
    path_ = ::mkdtemp(pattern.data()) ? pattern : std::string();
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace peercall::test
