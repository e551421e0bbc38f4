#pragma once
// One GLib main context and loop on a thread of its own. libnice owns its
// sockets and timers on a GMainContext; every IceAgent of a process shares this
// one, so a process has a single extra thread for ICE however many calls it has.
// Nothing here knows about asio: agents post what they learn to the io_context.
#include <atomic>
#include <chrono>
#include <functional>
#include <thread>

#include "core/result.hpp"

typedef struct _GMainContext GMainContext;
typedef struct _GMainLoop GMainLoop;

namespace peercall {

class GlibLoopThread {
 public:
  GlibLoopThread();   // starts the thread; the loop runs once the constructor returns
  ~GlibLoopThread();  // stop()
  GlibLoopThread(const GlibLoopThread&) = delete;
  GlibLoopThread& operator=(const GlibLoopThread&) = delete;

  GMainContext* context() const { return context_; }
  bool stopped() const { return stopped_.load(); }
  bool on_loop_thread() const { return std::this_thread::get_id() == thread_.get_id(); }

  // Runs fn on the loop thread and returns when it has run (directly when
  // called from the loop thread). After stop(), fn runs on the calling thread:
  // nothing else dispatches the context then, so that is as safe.
  void run_sync(const std::function<void()>& fn);

  // Queues fn on the loop thread without waiting.
  void post(std::function<void()> fn);

  // Quits the loop and joins the thread, first giving queued work (an agent's
  // asynchronous close, which frees its TURN allocations) up to `drain` to
  // finish. Idempotent; not from the loop thread itself.
  void stop(std::chrono::milliseconds drain = std::chrono::milliseconds(2000));

  // Work that must finish before stop() (an agent closing): begin/end pairs,
  // both on the loop thread.
  void begin_pending() { ++pending_; }
  void end_pending() { --pending_; }

 private:
  GMainContext* context_ = nullptr;
  GMainLoop* loop_ = nullptr;
  std::thread thread_;
  int pending_ = 0;  // touched only on the loop thread
  std::atomic<bool> stopped_{false};
};

}  // namespace peercall
