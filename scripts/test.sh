#!/usr/bin/env bash
# Every test: set everything up, build, run the whole CTest suite (unit, e2e, window under Xvfb).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/bootstrap.sh" "$root/build"
cd "$root/build"
ctest --output-on-failure -j2 --timeout 300 "$@"
