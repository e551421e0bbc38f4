#!/usr/bin/env bash
# The main job: set everything up, then run `peercall demo` (extra args are passed on).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/bootstrap.sh" "$root/build" >&2
exec "$root/build/peercall" demo "$@"
