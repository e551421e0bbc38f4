#include "net/ice/glib_loop_thread.hpp"

#include <glib.h>

#include <future>
#include <memory>

namespace peercall {
namespace {

struct Task {
  std::function<void()> fn;
};

gboolean run_task(gpointer data) {
  static_cast<Task*>(data)->fn();
  return G_SOURCE_REMOVE;
}

void free_task(gpointer data) { delete static_cast<Task*>(data); }

// Attaching a source is safe from any thread and wakes the context; unlike
// g_main_context_invoke it never runs fn on the caller's thread.
void attach_task(GMainContext* context, std::function<void()> fn) {
  GSource* source = g_idle_source_new();
  g_source_set_priority(source, G_PRIORITY_DEFAULT);
  g_source_set_callback(source, run_task, new Task{std::move(fn)}, free_task);
  g_source_attach(source, context);
  g_source_unref(source);
}

}  // namespace

GlibLoopThread::GlibLoopThread() {
  context_ = g_main_context_new();
  loop_ = g_main_loop_new(context_, FALSE);
  std::promise<void> running;
  auto started = running.get_future();
  attach_task(context_, [&running] { running.set_value(); });
  thread_ = std::thread([this] {
    g_main_context_push_thread_default(context_);
    g_main_loop_run(loop_);
    g_main_context_pop_thread_default(context_);
  });
  started.wait();  // from here on the loop thread owns the context
}

GlibLoopThread::~GlibLoopThread() {
  stop();
  g_main_loop_unref(loop_);
  g_main_context_unref(context_);
}

void GlibLoopThread::run_sync(const std::function<void()>& fn) {
  if (stopped_ || on_loop_thread()) {
    fn();
    return;
  }
  std::promise<void> done;
  auto finished = done.get_future();
  attach_task(context_, [&fn, &done] {
    fn();
    done.set_value();
  });
  finished.wait();
}

void GlibLoopThread::post(std::function<void()> fn) {
  if (stopped_) return;
  attach_task(context_, std::move(fn));
}

void GlibLoopThread::stop(std::chrono::milliseconds drain) {
  if (stopped_ || !thread_.joinable()) return;
  const gint64 deadline = g_get_monotonic_time() + gint64(drain.count()) * 1000;
  struct Drain {
    GlibLoopThread* self;
    gint64 deadline;
  };
  auto* state = new Drain{this, deadline};
  attach_task(context_, [this, state] {
    // Poll every 10 ms until queued closes finished or the drain time is up.
    GSource* tick = g_timeout_source_new(10);
    g_source_set_callback(
        tick,
        [](gpointer data) -> gboolean {
          auto* d = static_cast<Drain*>(data);
          if (d->self->pending_ > 0 && g_get_monotonic_time() < d->deadline) {
            return G_SOURCE_CONTINUE;
          }
          g_main_loop_quit(d->self->loop_);
          return G_SOURCE_REMOVE;
        },
        state, [](gpointer data) { delete static_cast<Drain*>(data); });
    g_source_attach(tick, context_);
    g_source_unref(tick);
  });
  thread_.join();
  stopped_ = true;
}

}  // namespace peercall
