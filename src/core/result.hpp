#pragma once
// Result of an operation that can fail on bad input or a bad environment: a
// value, or a one-line reason for the user ("camera /dev/video0: No such file
// or directory", "rtp: truncated header"). Never throws.
#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace peercall {

struct Error {
  Error(const char* r) : reason(r) {}          // NOLINT: implicit by design
  Error(std::string r) : reason(std::move(r)) {}  // NOLINT
  std::string reason;
};

// The value of an operation that only succeeds or fails.
struct Done {};

template <class T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Error e) : v_(std::move(e)) {}      // NOLINT
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() { assert(ok()); return std::get<0>(v_); }
  const T& value() const { assert(ok()); return std::get<0>(v_); }
  T& operator*() { return value(); }
  const T& operator*() const { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const std::string& error() const {
    static const std::string none;
    return ok() ? none : std::get<1>(v_).reason;
  }

 private:
  std::variant<T, Error> v_;
};

}  // namespace peercall
