#!/usr/bin/env bash
# A call on a bad network (issue 10), in one run, one row per scenario: real
# peercall calls (listen in one namespace, call from the other) through
# peercall-netsim, both sides on the stamped test pattern and tone, 640x480 at
# 30 fps, the default 1500 kbit/s cap, every impairment on both directions:
#   a  clean, RTT 40 ms
#   b  5% random loss, RTT 100 ms
#   c  20% loss in bursts of 3 (Gilbert-Elliott), RTT 50 ms
#   d  2 Mbit/s, then 0.3 Mbit/s for half the call (20 s by default) with a
#      300 ms drop-tail queue, then 2 Mbit/s again (RTT 40 ms)
#   e  a 2 s outage in the middle of the call, RTT 40 ms
# Measured on the caller, from the video it receives (every frame's arrival on
# CLOCK_MONOTONIC and the capture time stamped into it by the listener's test
# source, bench/lib/frame_timeline.py) and from both sides' --stats:
#   delivered: frames shown / frames captured between the first and last shown;
#   freezes: gaps over 200 ms between new frames, and the longest gap;
#   latency: capture to arrival out of the receiver's pipe (glass-to-glass less
#     the display), p50/p95 over the whole call, the bad moments included;
#   audio concealed: the caller's jitter buffer's share of concealed audio;
#   d: the time from the drop until the latency is under 300 ms and stays there
#     for 5 s (or until the restore), the worst latency in the cap, the
#     sender's lowest bandwidth estimate, and kbps_in before the drop and 5 s
#     after the restore;
#   e: the first new picture after the link comes back, and the frames shown
#     after it with a latency over 300 ms (stale pictures from before).
#
#   sudo bench/bad_network_bench.sh [build-dir] [seconds per call, default 40]
#   SCENARIOS="a b c d e" picks rows; CHROMIUM=0 leaves out the baseline;
#   KEEP=1 keeps the work directory; REPORT=DIR prints the table of a kept
#   one again without making calls (give the same seconds).
# Baseline rows: the same calls between two headless Chromiums, one per
# namespace (bench/lib/chromium_peer.mjs: a stamped 640x480 canvas at 30 fps
# and a WebAudio tone, SDP exchanged by files, Chromium's own congestion
# control, NACK, FEC and jitter buffer; VP8 as Chromium picks it). Its frames
# are timed by requestVideoFrameCallback in the receiving page, so its latency
# includes the page's compositing, which peercall's pipe figure does not.
# Needs root (network namespaces, /dev/net/tun). Traffic stays inside
# 198.18.0.0/15 between the two namespaces. Takes about 10 x (seconds + 8) s (5 without the baseline).
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
secs=${2:-40}
PEERCALL=$build/peercall
NETSIM=$build/peercall-netsim
NC_WORK=${REPORT:-$(mktemp -d /tmp/peercall-badnet.XXXXXX)}
export SDL_AUDIODRIVER=dummy
source "$root/bench/lib/netsim_call.sh"
trap 'netsim_call_cleanup; if [ "${KEEP:-0}" = 1 ] || [ -n "${REPORT:-}" ]; then echo "kept $NC_WORK" >&2; else rm -rf "$NC_WORK"; fi' EXIT
[ "$(id -u)" = 0 ] || { echo "needs root (network namespaces)" >&2; exit 1; }
for f in "$PEERCALL" "$NETSIM"; do [ -x "$f" ] || { echo "no $f" >&2; exit 1; }; done
SCENARIOS=${SCENARIOS:-a b c d e}
# The baseline: the same calls between two headless Chromiums (CHROMIUM=0: none).
chromium_rows=0
if [ "${CHROMIUM:-1}" != 0 ] && command -v node > /dev/null && [ -x /usr/bin/chromium ] &&
   [ -d "$root/tests/browser/node_modules/playwright-core" ]; then chromium_rows=1; fi
want() { [[ " $SCENARIOS " == *" $1 "* ]]; }
# The rate drop: at a fifth of the call, for half of it (8 s and 20 s at 40 s).
drop_at=$(/usr/bin/python3 -c "print(round($secs / 5, 1))")
cap_for=$(/usr/bin/python3 -c "print(round($secs / 2, 1))")
restore_at=$(/usr/bin/python3 -c "print($drop_at + $cap_for)")
down_at=$(/usr/bin/python3 -c "print(round($secs / 2, 1))")
up_at=$(/usr/bin/python3 -c "print($down_at + 2)")

# run NAME NETSIM-OPTIONS EVENTS: one call (NAME's last letter is the
# scenario); its figures in NAME.json, the link's drops towards the caller in
# NAME.linkloss.
run() {
  [ -n "${REPORT:-}" ] && return 0
  netsim_call "$1" "$secs" "$2" "$3" || echo "$1: the call failed" >&2
}
# summarize NAME: NAME.json (frame_timeline.py's figures; NAME's last letter is
# the scenario) and NAME.linkloss (what the link dropped towards the caller, %).
summarize() {
  local name=$1 opts=()
  [ -s "$NC_WORK/$name.events" ] || return 0
  case ${name: -1} in
    d) opts=(--drop "$(nc_event "$name" drop)" --restore "$(nc_event "$name" restore)") ;;
    e) opts=(--down "$(nc_event "$name" down)" --up "$(nc_event "$name" up)") ;;
  esac
  nc_summary "$name" "${opts[@]}" > "$NC_WORK/$name.json" || rm -f "$NC_WORK/$name.json"
  grep '^{' "$NC_WORK/$name.sim.out" | tail -1 | /usr/bin/python3 -c "
import json, sys
d = json.load(sys.stdin)['a->b']
print(round(100.0 * (d['dropped_loss'] + d['dropped_queue'] + d['dropped_outage']) / max(1, d['packets_in']), 1))" \
    > "$NC_WORK/$name.linkloss" 2> /dev/null || echo - > "$NC_WORK/$name.linkloss"
}
# scenarios PREFIX: the five calls, named PREFIXa..PREFIXe.
scenarios() {
  local p=$1
  want a && run ${p}a "--delay 20ms --seed 11" ""
  want b && run ${p}b "--delay 50ms --loss 5% --seed 12" ""
  want c && run ${p}c "--delay 25ms --burst 20%/3 --seed 13" ""
  want d && run ${p}d "--delay 20ms --rate 2000 --queue 300ms --seed 14" \
    "$drop_at|both rate=300|drop;$restore_at|both rate=2000|restore"
  want e && run ${p}e "--delay 20ms --seed 15" "$down_at|both down|down;$up_at|both up|up"
}
NC_PEER=peercall scenarios ""
if [ "$chromium_rows" = 1 ]; then NC_PEER=chromium scenarios chromium-; fi
for n in a b c d e chromium-a chromium-b chromium-c chromium-d chromium-e; do summarize $n; done

source "$root/bench/lib/json_figure.sh"
row() {
  local label=$1 n=$2 j=$NC_WORK/$2.json
  [ -e "$j" ] || { want "$n" && printf '%-44s (failed: see the log above)\n' "$label"; return 0; }
  local rc ended
  rc=$(cat "$NC_WORK/$n.c.rc" 2> /dev/null || echo -)
  ended=$([ "$rc" = 0 ] && echo "ok" || echo "exit $rc at $(f "$j" video_s) s")
  printf '%-44s %5s %5s%% %6s %5s %6s ms %5s %5s ms %7s%% %6s%%  %s\n' "$label" \
    "$(f "$j" frames_shown)" "$(f "$j" delivered_pct 1)" "$(f "$j" unstamped)" "$(f "$j" freezes_200ms)" "$(f "$j" longest_freeze_ms)" \
    "$(f "$j" latency_ms_p50)" "$(f "$j" latency_ms_p95)" "$(f "$j" audio_concealed_pct 1)" \
    "$(cat "$NC_WORK/$n.linkloss" 2> /dev/null || echo -)" "$ended"
}
echo
uptime | sed 's/^ */(machine load: /; s/$/)/'
printf '%-44s %12s %7s %16s %16s %8s %7s  %s\n' "call, 640x480@30, ${secs} s" "whole frames" "broken" "freezes/longest" \
  "latency p50/p95" "audio" "link" "caller"
printf '%-44s %12s %7s %16s %16s %8s %7s  %s\n' "" "(% of sent)" "frames" ">200 ms" "(stamps)" "conceal." "drops" "ended"
table_rows() {
  local p=$1 who=$2
  row "$who a clean, RTT 40 ms" ${p}a
  row "$who b 5% random loss, RTT 100 ms" ${p}b
  row "$who c 20% loss, bursts of 3, RTT 50 ms" ${p}c
  row "$who d 2->0.3->2 Mbit/s, 300 ms queue" ${p}d
  row "$who e 2 s outage, RTT 40 ms" ${p}e
}
table_rows "" peercall
[ "$chromium_rows" = 1 ] && table_rows chromium- Chromium
details() {
  local p=$1 who=$2 j
  if [ -e "$NC_WORK/${p}d.json" ]; then
    j=$NC_WORK/${p}d.json
    echo
    echo "$who d, the rate drop (0.3 Mbit/s for ${cap_for} s): the picture back under 300 ms old $(f "$j" back_under_300ms_s 1) s after"\
      "the drop (under 1 s: $(f "$j" back_under_1s_s 1) s; worst whole-frame latency in the cap $(f "$j" cap_latency_ms_max) ms);"
    echo "   the sender's estimate fell to $(f "$j" sender_bwe_kbps_min_in_cap) kbit/s; broken frames in the cap" \
      "$(f "$j" broken_frames_in_cap), after the restore $(f "$j" broken_frames_after_restore);"
    echo "   kbps_in $(f "$j" kbps_in_before_drop) before the drop, $(f "$j" kbps_in_5s_after_restore) 5 s after the restore" \
      "(whole frames 2-5 s after it: $(f "$j" fps_2_5s_after_restore 1) fps; the sender's estimate then $(f "$j" sender_bwe_kbps_5s_after_restore) kbit/s)"
  fi
  if [ -e "$NC_WORK/${p}e.json" ]; then
    j=$NC_WORK/${p}e.json
    echo
    echo "$who e, the outage: first new picture $(f "$j" first_picture_after_up_ms) ms after the link came back;" \
      "stale frames shown after it (latency > 300 ms): $(f "$j" stale_frames) (worst $(f "$j" stale_latency_ms_max) ms)"
  fi
}
details "" peercall
[ "$chromium_rows" = 1 ] && details chromium- Chromium
echo
echo "(whole frames: shown on the caller with a readable stamp, each once; % of those the listener captured from"
echo " the first to the end of the video. broken: frames shown whose stamp band was unreadable (missing slices)."
echo " freezes: gaps between whole frames, the last one's to the end included; \"back under 300 ms\": the age of the"
echo " picture on screen (now minus the capture of the newest whole frame) stays under 300 ms for 5 s."
echo " latency: stamp at capture to the decoded frame leaving the caller's --video-out pipe, all whole frames of"
echo " the call. audio: the caller's concealed share at hang-up. link drops: packets towards the caller"
echo " the link dropped (loss, queue, outage) as peercall-netsim counted them. caller ended: ok (hung up at the"
echo " end) or its exit code (4: it lost the other side) and the seconds of video it had by then.)"
[ "$chromium_rows" = 1 ] || echo "(no Chromium baseline rows: needs node, /usr/bin/chromium and tests/browser/node_modules)"
echo "(Chromium: frames timed in the page by requestVideoFrameCallback, compositing included; its sent count is"
echo " the canvas's draws, some of which captureStream may skip, so its % shown is a lower bound. audio: the"
echo " caller's concealedSamples / totalSamplesReceived. link drops: as above.)"
