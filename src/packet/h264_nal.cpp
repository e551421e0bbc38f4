#include "packet/h264_nal.hpp"

#include <iterator>

namespace peercall {
namespace {

// Index of the next 00 00 01 at or after `from`, or data.size().
size_t find_start_code(ByteView data, size_t from) {
  const size_t n = data.size();
  size_t i = from;
  while (i + 2 < n) {
    // A start code ends in 01, so a byte > 1 at i+2 rules out i, i+1 and i+2.
    if (data[i + 2] > 1) {
      i += 3;
    } else if (data[i + 2] == 1 && data[i + 1] == 0 && data[i] == 0) {
      return i;
    } else {
      ++i;
    }
  }
  return n;
}

}  // namespace

std::vector<ByteView> split_annexb(ByteView stream) {
  std::vector<ByteView> nals;
  size_t start = find_start_code(stream, 0);
  while (start < stream.size()) {
    const size_t begin = start + 3;
    const size_t next = find_start_code(stream, begin);
    size_t end = next;
    while (end > begin && stream[end - 1] == 0) --end;
    if (end > begin) nals.push_back(stream.subspan(begin, end - begin));
    start = next;
  }
  return nals;
}

void append_annexb_nal(Bytes& out, ByteView nal) {
  out.insert(out.end(), std::begin(kAnnexBStartCode), std::end(kAnnexBStartCode));
  out.insert(out.end(), nal.begin(), nal.end());
}

}  // namespace peercall
