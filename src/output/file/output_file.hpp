#pragma once
// A byte destination for writers: a regular file, or stdout / a pipe for "-".
// Every write is one whole unit (a frame with its header) written by a loop
// that survives short writes and EINTR. On failure (EPIPE when the reader went
// away, ENOSPC...) the descriptor is closed and a regular file is cut back to
// the last whole unit, so it never ends in a partial frame.
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <string>

#include "core/bytes.hpp"
#include "core/result.hpp"

namespace peercall {

// How an output stopped, for its owner: the reader of a pipe went away (that
// output ends, the call goes on), or the output broke (disk full, I/O error:
// what was written is lost, the call should end with an error).
struct OutputFailure {
  std::string message;  // one line: "y4m output '/dev/full': No space left on device"
  bool reader_left = false;
};
// Called once, on the thread that wrote. Without one, the writer logs the line
// itself (an error, or a warning when the reader left).
using OutputFailureHandler = std::function<void(const OutputFailure&)>;
// Calls `handler`, or logs the failure when there is none.
void report_output_failure(const OutputFailureHandler& handler, const OutputFailure& failure);

class OutputFile {
 public:
  // kind names the writer in messages: "y4m output 'x.y4m': Permission denied".
  static Result<std::unique_ptr<OutputFile>> open(const std::string& path_or_dash, const char* kind);
  ~OutputFile();
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  // Writes the parts back to back as one unit; false if the output failed
  // (now or earlier).
  bool write(std::initializer_list<ByteView> parts);
  // Overwrites bytes already written (headers); only when seekable().
  bool write_at(uint64_t offset, ByteView data);
  void close();

  bool is_open() const { return fd_ >= 0; }
  // A regular file: sizes can be patched later. Pipes and terminals cannot.
  bool seekable() const { return seekable_; }
  uint64_t bytes_written() const { return size_; }
  const std::string& error() const { return error_; }
  // The failure was EPIPE: a pipe's reader closed it.
  bool reader_left() const { return reader_left_; }
  const std::string& path() const { return path_; }

 private:
  OutputFile() = default;
  void fail(int err);

  int fd_ = -1;
  bool seekable_ = false;
  uint64_t size_ = 0;
  uint64_t unit_end_ = 0;  // size_ before the unit being written
  std::string path_;
  std::string kind_;
  std::string error_;
  bool reader_left_ = false;
};

}  // namespace peercall
