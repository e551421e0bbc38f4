#include "output/file/output_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <vector>

#include <spdlog/spdlog.h>

namespace peercall {

void report_output_failure(const OutputFailureHandler& handler, const OutputFailure& failure) {
  if (handler) return handler(failure);
  if (failure.reader_left)
    spdlog::warn("{}: the reader went away; that output ends here", failure.message);
  else
    spdlog::error("{}", failure.message);
}

Result<std::unique_ptr<OutputFile>> OutputFile::open(const std::string& path_or_dash, const char* kind) {
  std::unique_ptr<OutputFile> f(new OutputFile());
  f->path_ = path_or_dash;
  f->kind_ = kind;
  auto fail = [&](const std::string& why) { return Error(f->kind_ + " '" + f->path_ + "': " + why); };
  if (path_or_dash.empty()) return fail("no path given");
  // Our own descriptor for stdout, so close() never frees fd 1 for reuse.
  f->fd_ = path_or_dash == "-" ? ::fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3)
                               : ::open(path_or_dash.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (f->fd_ < 0) return fail(std::strerror(errno));
  struct stat st {};
  f->seekable_ = ::fstat(f->fd_, &st) == 0 && S_ISREG(st.st_mode);
  return f;
}

OutputFile::~OutputFile() { close(); }

bool OutputFile::write(std::initializer_list<ByteView> parts) {
  if (fd_ < 0) return false;
  std::vector<iovec> iov;
  for (ByteView p : parts) {
    if (!p.empty()) iov.push_back({const_cast<uint8_t*>(p.data()), p.size()});
  }
  size_t first = 0;
  while (first < iov.size()) {
    const ssize_t n = ::writev(fd_, iov.data() + first, int(std::min<size_t>(iov.size() - first, IOV_MAX)));
    if (n < 0) {
      if (errno == EINTR) continue;
      fail(errno);
      return false;
    }
    size_ += uint64_t(n);
    for (size_t left = size_t(n); left > 0 && first < iov.size();) {
      const size_t take = std::min(left, iov[first].iov_len);
      iov[first].iov_base = static_cast<uint8_t*>(iov[first].iov_base) + take;
      iov[first].iov_len -= take;
      left -= take;
      if (iov[first].iov_len == 0) ++first;
    }
  }
  unit_end_ = size_;
  return true;
}

bool OutputFile::write_at(uint64_t offset, ByteView data) {
  if (fd_ < 0 || !seekable_) return false;
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::pwrite(fd_, data.data() + done, data.size() - done, off_t(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      fail(errno);
      return false;
    }
    done += size_t(n);
  }
  return true;
}

void OutputFile::fail(int err) {
  reader_left_ = err == EPIPE;
  error_ = kind_ + " '" + path_ + "': " + (reader_left_ ? std::string("the reader closed it") : std::strerror(err));
  // Drop the partial unit so the file still ends on a whole frame.
  if (seekable_ && size_ > unit_end_ && ::ftruncate(fd_, off_t(unit_end_)) == 0) size_ = unit_end_;
  ::close(fd_);
  fd_ = -1;
}

void OutputFile::close() {
  if (fd_ < 0) return;
  ::close(fd_);
  fd_ = -1;
}

}  // namespace peercall
