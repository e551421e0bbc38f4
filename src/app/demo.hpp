#pragma once
#include "app/media_options.hpp"

namespace peercall {
// `peercall demo`: starts `peercall listen` and `peercall call` on this machine
// as two processes on test sources, and ends both on Enter, q, Esc or Ctrl-C.
int run_demo(const MediaOptions& options);
}  // namespace peercall
