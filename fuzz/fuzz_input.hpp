#pragma once
// How the multi-packet targets cut one fuzz input into datagrams: each is a
// 2-byte big-endian length then that many bytes (a short last one takes what
// is left). Optional one-byte "control" fields let a target vary timing and
// order without a second input format.
#include <cstddef>
#include <cstdint>
#include <span>

namespace peercall::fuzz {

class FuzzInput {
 public:
  FuzzInput(const uint8_t* data, size_t size) : data_(data, size) {}

  bool empty() const { return pos_ >= data_.size(); }

  // One control byte (0 when the input is used up).
  uint8_t byte() {
    if (empty()) return 0;
    return data_[pos_++];
  }

  // The next length-prefixed chunk; never longer than what is left.
  std::span<const uint8_t> chunk() {
    const size_t high = byte();
    const size_t length = high << 8 | byte();
    const size_t n = length < data_.size() - pos_ ? length : data_.size() - pos_;
    auto out = data_.subspan(pos_, n);
    pos_ += n;
    return out;
  }

 private:
  std::span<const uint8_t> data_;
  size_t pos_ = 0;
};

}  // namespace peercall::fuzz
