#pragma once
// Result of parsing untrusted input: a value, or a short static reason that the
// caller counts. Never throws.
#include <cassert>
#include <utility>
#include <variant>

namespace peercall {

struct Error {
  const char* reason;  // static string, e.g. "rtp: truncated header"
};

template <class T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Error e) : v_(e) {}                 // NOLINT
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() { assert(ok()); return std::get<0>(v_); }
  const T& value() const { assert(ok()); return std::get<0>(v_); }
  T& operator*() { return value(); }
  const T& operator*() const { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const char* error() const { return ok() ? "" : std::get<1>(v_).reason; }

 private:
  std::variant<T, Error> v_;
};

}  // namespace peercall
