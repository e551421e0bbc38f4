#pragma once
// Extends wrapping RTP counters (16-bit sequence numbers, 32-bit timestamps)
// to 64 bits: each value is taken as the nearest one to the last, so a
// counter may wrap any number of times and still compare and subtract as
// plain integers. Reordered values (a step back of less than half the range)
// unwrap to below the last one.
#include <cstdint>
#include <type_traits>

namespace peercall {

template <typename Wrapping>
class RtpUnwrapper {
  static_assert(std::is_unsigned_v<Wrapping>);
  using Signed = std::make_signed_t<Wrapping>;

 public:
  int64_t unwrap(Wrapping value) {
    if (!has_last_) {
      has_last_ = true;
      last_ = int64_t(value);
      return last_;
    }
    // The difference in the wrapping type, read as signed: nearest direction.
    const auto step = Signed(Wrapping(value - Wrapping(last_)));
    const int64_t extended = last_ + step;
    if (step > 0) last_ = extended;  // only move forward: reordering keeps the reference
    return extended;
  }
  void reset() { has_last_ = false; }

 private:
  bool has_last_ = false;
  int64_t last_ = 0;
};

using SequenceUnwrapper = RtpUnwrapper<uint16_t>;
using TimestampUnwrapper = RtpUnwrapper<uint32_t>;

}  // namespace peercall
