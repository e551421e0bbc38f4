#pragma once
// Result of a network operation: a value, or a one-line message for the user.
// Unlike core's Result, the message is owned, because it names hosts, ports and
// what the server said. Same shape as Result so call sites read alike.
#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace peercall {

struct Failure {
  std::string message;  // e.g. "cannot reach 10.0.0.2:5000: timed out after 5 s"
};

struct Done {};  // the value of an operation that only succeeds or fails

template <class T>
class Outcome {
 public:
  Outcome(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Outcome(Failure f) : v_(std::move(f)) {}    // NOLINT
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
    return ok() ? none : std::get<1>(v_).message;
  }

 private:
  std::variant<T, Failure> v_;
};

}  // namespace peercall
