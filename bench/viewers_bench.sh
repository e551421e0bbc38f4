#!/usr/bin/env bash
# One stream, two viewers, one of them on a bad link (issue 10: "one viewer's
# bad link must not ruin the others"), in one run. peercall stream in one
# namespace, a near viewer beside it (its path never crosses the link) and a
# far viewer in the other namespace through peercall-netsim: 2 Mbit/s, then
# 0.3 Mbit/s with a 300 ms drop-tail queue for half the stream, then 2 again.
# Rows: peercall with its default second encoding for the slow viewer
# (simulcast, --layers 2), and with one encoding for all (--layers 1), which
# must follow the slowest viewer; and the baseline, Chromium streaming to two
# Chromium viewers (CHROMIUM=0 leaves it out). Figures per viewer, in the cap's steady
# state (from 2 s after the drop to the restore): frames per second, the
# longest gap between frames, latency p50/p95, kbit/s received; and for the
# far viewer the time until its picture is back under 300 ms old.
#   sudo bench/viewers_bench.sh [build-dir] [seconds, default 40]
# Needs root (network namespaces). Traffic stays inside 198.18.0.0/15.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
secs=${2:-40}
PEERCALL=$build/peercall
NETSIM=$build/peercall-netsim
NC_WORK=$(mktemp -d /tmp/peercall-viewers.XXXXXX)
export SDL_AUDIODRIVER=dummy
source "$root/bench/lib/netsim_call.sh"
source "$root/bench/lib/netsim_stream.sh"
trap 'netsim_call_cleanup; if [ "${KEEP:-0}" = 1 ]; then echo "kept $NC_WORK" >&2; else rm -rf "$NC_WORK"; fi' EXIT
[ "$(id -u)" = 0 ] || { echo "needs root (network namespaces)" >&2; exit 1; }
for f in "$PEERCALL" "$NETSIM"; do [ -x "$f" ] || { echo "no $f" >&2; exit 1; }; done
drop_at=$(/usr/bin/python3 -c "print(round($secs / 5, 1))")
cap_for=$(/usr/bin/python3 -c "print(round($secs / 2, 1))")
restore_at=$(/usr/bin/python3 -c "print($drop_at + $cap_for)")
events="$drop_at|both rate=300|drop;$restore_at|both rate=2000|restore"
chromium_rows=0
if [ "${CHROMIUM:-1}" != 0 ] && command -v node > /dev/null && [ -x /usr/bin/chromium ] &&
   [ -d "$root/tests/browser/node_modules/playwright-core" ]; then chromium_rows=1; fi
runs="l2 l1"
[ "$chromium_rows" = 1 ] && runs="$runs cr"
for run in $runs; do
  case $run in
    cr) NC_PEER=chromium netsim_stream cr "$secs" "--delay 20ms --rate 2000 --queue 300ms --seed 21" "$events" ;;
    *) netsim_stream "$run" "$secs" "--delay 20ms --rate 2000 --queue 300ms --seed 21" "$events" --layers "${run#l}" ;;
  esac || { echo "$run: the stream failed" >&2; netsim_call_cleanup; }
  for v in near far; do
    nc_stream_summary $run $v > "$NC_WORK/$run.$v.json" 2> /dev/null || rm -f "$NC_WORK/$run.$v.json"
  done
  [ $run = cr ] || nc_stats_max $run video_layers viewers_on_second_layer layer_switches frames_withheld \
    > "$NC_WORK/$run.s.json" 2> /dev/null
done

source "$root/bench/lib/json_figure.sh"
echo
uptime | sed 's/^ */(machine load: /; s/$/)/'
printf '%-34s %-6s %8s %8s %10s %14s %8s %10s\n' "stream, 640x480@30, ${secs} s" viewer "fps" "kbit/s" "longest" "latency" "frames" "back <300"
printf '%-34s %-6s %8s %8s %10s %14s %8s %10s\n' "far link 2 -> 0.3 -> 2 Mbit/s" "" "in cap" "in cap" "gap (cap)" "p50/p95 (cap)" "shown" "ms (far)"
for run in $runs; do
  case $run in
    l2) label="peercall, 2 encodings (default)" ;;
    l1) label="peercall, 1 encoding (--layers 1)" ;;
    cr) label="Chromium, a connection per viewer" ;;
  esac
  for v in near far; do
    j=$NC_WORK/$run.$v.json
    [ -e "$j" ] || { printf '%-34s %-6s (failed: see the log above)\n' "$label" $v; label=""; continue; }
    printf '%-34s %-6s %8s %8s %7s ms %6s/%4s ms %7s%% %10s\n' "$label" $v "$(f "$j" cap_fps 1)" "$(f "$j" cap_kbps_in_median)" \
      "$(f "$j" cap_longest_freeze_ms)" "$(f "$j" cap_latency_ms_p50)" "$(f "$j" cap_latency_ms_p95)" "$(f "$j" delivered_pct 1)" \
      "$([ $v = far ] && /usr/bin/python3 -c "
import json
v = json.load(open('$j')).get('back_under_300ms_s')
print('-' if v is None else int(v * 1000))" || echo)"
    label=""
  done
  [ $run = cr ] && continue
  j=$NC_WORK/$run.s.json
  echo "   streamer: encodings at most $(f "$j" video_layers), viewers on the second at most" \
    "$(f "$j" viewers_on_second_layer), moves $(f "$j" layer_switches), frames withheld from one viewer $(f "$j" frames_withheld)"
done
echo
echo "(in cap: from 2 s after the drop to the restore. fps: whole frames shown per second; kbit/s: the viewer's"
echo " received rate (median of its --stats); longest gap: between whole frames in the cap; latency: stamp at"
echo " capture to the frame leaving the viewer's --video-out pipe; frames shown: % of those captured over the"
echo " whole stream; back <300: from the drop until the far viewer's picture stays under 300 ms old for 5 s."
echo " Chromium: a sending page per viewer (a browser streaming to two peers encodes once per peer"
echo " connection), receive-only viewer pages; frames timed by requestVideoFrameCallback, compositing included.)"
[ "$chromium_rows" = 1 ] || echo "(no Chromium rows: needs node, /usr/bin/chromium and tests/browser/node_modules)"
