#pragma once
// Extends wrapping RTP counters (16-bit sequence numbers, 32-bit timestamps) to
// int64 so that ordering and differences need no modular reasoning downstream.
// Each value is taken as the nearest (forward or backward) to the last value
// seen, so late packets unwrap backwards across a wrap too.
#include <cstdint>
#include <optional>
#include <type_traits>

namespace peercall {

template <class T>
class Unwrapper {
  static_assert(std::is_unsigned_v<T> && sizeof(T) < sizeof(int64_t));

 public:
  int64_t unwrap(T value) {
    if (!last_) {
      last_ = value;
      return *last_;
    }
    using Signed = std::make_signed_t<T>;
    const auto delta = static_cast<Signed>(static_cast<T>(value - static_cast<T>(*last_)));
    *last_ += delta;
    return *last_;
  }

  // The unwrapped value of the last call, if any.
  std::optional<int64_t> last() const { return last_; }
  void reset() { last_.reset(); }

 private:
  std::optional<int64_t> last_;
};

using SequenceUnwrapper = Unwrapper<uint16_t>;
using TimestampUnwrapper = Unwrapper<uint32_t>;

}  // namespace peercall
