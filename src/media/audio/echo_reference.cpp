#include "media/audio/echo_reference.hpp"

#include <algorithm>

namespace peercall {
namespace {

Duration samples_duration(size_t n) {
  return std::chrono::duration_cast<Duration>(std::chrono::nanoseconds(
      int64_t(n) * 1'000'000'000 / EchoReference::kSampleRate));
}

}  // namespace

void EchoReference::push(std::span<const int16_t> samples, Instant play_time) {
  const size_t cap = ring_.size();
  std::lock_guard lock(mu_);
  active_ = true;
  // The newest push's timing wins: it is the freshest view of the device delay.
  end_play_time_ = play_time + samples_duration(samples.size());
  if (samples.size() > cap) {
    dropped_ += samples.size() - cap;
    samples = samples.last(cap);
  }
  if (size_ + samples.size() > cap) {
    const size_t drop = size_ + samples.size() - cap;
    head_ = (head_ + drop) % cap;
    size_ -= drop;
    dropped_ += drop;
  }
  const size_t tail = (head_ + size_) % cap;
  const size_t first = std::min(samples.size(), cap - tail);  // the ring may wrap once
  std::copy_n(samples.begin(), first, ring_.begin() + tail);
  std::copy(samples.begin() + first, samples.end(), ring_.begin());
  size_ += samples.size();
}

std::optional<EchoReference::Frame> EchoReference::pop(size_t count) {
  std::lock_guard lock(mu_);
  if (count == 0 || size_ < count) return std::nullopt;
  const size_t cap = ring_.size();
  Frame frame;
  frame.samples.resize(count);
  const size_t first = std::min(count, cap - head_);
  std::copy_n(ring_.begin() + head_, first, frame.samples.begin());
  std::copy_n(ring_.begin(), count - first, frame.samples.begin() + first);
  frame.play_time = end_play_time_ - samples_duration(size_);
  head_ = (head_ + count) % cap;
  size_ -= count;
  return frame;
}

bool EchoReference::active() const {
  std::lock_guard lock(mu_);
  return active_;
}

size_t EchoReference::buffered() const {
  std::lock_guard lock(mu_);
  return size_;
}

uint64_t EchoReference::dropped_samples() const {
  std::lock_guard lock(mu_);
  return dropped_;
}

}  // namespace peercall
