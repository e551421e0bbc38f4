#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/, clang, ASan+UBSan) in build-fuzz and runs
# each for N seconds (default 10) from a copy of its seed corpus. Fails if any
# target finds a crash, leak, timeout or sanitizer report; exits 77 (skipped) if
# clang++ cannot link -fsanitize=fuzzer. A longer run is the same with a larger N.
#   scripts/fuzz.sh [seconds-per-target]
# Env: PEERCALL_FUZZ_BUILD (default ROOT/build-fuzz), PEERCALL_FUZZ_TARGETS
# (default "stun sdp rtp rtcp h264 demux").
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-10}
build=${PEERCALL_FUZZ_BUILD:-$root/build-fuzz}
targets=${PEERCALL_FUZZ_TARGETS:-stun sdp rtp rtcp h264 demux}
[[ $seconds =~ ^[0-9]+$ && $seconds -gt 0 ]] || { echo "usage: $0 [seconds-per-target]" >&2; exit 2; }

cxx=${CXX_FUZZ:-clang++}
probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
printf 'extern "C" int LLVMFuzzerTestOneInput(const unsigned char*, unsigned long) { return 0; }\n' >"$probe/p.cpp"
if ! command -v "$cxx" >/dev/null || ! "$cxx" -fsanitize=fuzzer,address,undefined "$probe/p.cpp" -o "$probe/p" 2>/dev/null; then
  echo "fuzz: $cxx cannot link -fsanitize=fuzzer,address,undefined: skipped" >&2
  exit 77
fi

cmake -S "$root/fuzz" -B "$build" -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_C_COMPILER="${CC_FUZZ:-clang}" >"$probe/configure.log" 2>&1 ||
  { cat "$probe/configure.log" >&2; exit 1; }
cmake --build "$build" -j2 --target $(for t in $targets; do printf '%s_fuzz ' "$t"; done) >"$probe/build.log" 2>&1 ||
  { tail -60 "$probe/build.log" >&2; exit 1; }

export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
failed=()
for t in $targets; do
  work="$probe/$t"
  mkdir -p "$work/corpus" "$work/artifacts"
  cp -r "$root/fuzz/corpus/$t/." "$work/corpus/" 2>/dev/null || true
  echo "== $t: ${seconds}s from $(ls "$work/corpus" | wc -l) seeds"
  if "$build/${t}_fuzz" -max_total_time="$seconds" -timeout=5 -rss_limit_mb=2048 -print_final_stats=0 \
      -artifact_prefix="$work/artifacts/" "$work/corpus" >"$work/log" 2>&1; then
    grep -E '^#[0-9]+[[:space:]]+DONE' "$work/log" | tail -1 || true
  else
    failed+=("$t")
    tail -60 "$work/log"
    keep="$build/crashes/$t"
    mkdir -p "$keep"
    cp "$work/artifacts/"* "$keep/" 2>/dev/null || true
    echo "fuzz: $t FAILED; the input that did it is in $keep (reproduce: $build/${t}_fuzz FILE)"
  fi
done
if ((${#failed[@]})); then
  echo "fuzz: crashes in: ${failed[*]}"
  exit 1
fi
echo "fuzz: $(wc -w <<<"$targets") targets ran ${seconds}s each, no crash"
