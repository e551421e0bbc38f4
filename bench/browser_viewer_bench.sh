#!/usr/bin/env bash
# A browser watching a stream on a bad link, in one run: headless Chromium
# (bench/lib/chromium_peer.mjs, WebRTC's own receiver) watches, across
# peercall-netsim, either `peercall stream` (WHEP; RED + ULPFEC and NACK/RTX,
# the loss-sized FEC it answers a browser with) or another Chromium streaming
# to it (the baseline: Chromium sends H.264 with NACK and no FEC), and
# `peercall stream --no-fec` (NACK/RTX only: what the FEC buys). The same
# viewer measures both: 640x480 at 30 fps, every frame timed from its stamp
# (peercall's own, or the Chromium sender's canvas band) as it is composited.
# Scenarios, towards the viewer:
#   clean    RTT 40 ms
#   loss     5% random loss, RTT 100 ms
#   loss10   10% random loss, RTT 100 ms
# Figures: frames shown, freezes over 200 ms and the longest, latency
# p50/p95/max, the viewer's NACKs and lost packets.
#   sudo bench/browser_viewer_bench.sh [build-dir] [seconds per row, default 30]
# Needs root (network namespaces), node, /usr/bin/chromium and
# tests/browser/node_modules. Traffic stays inside 198.18.0.0/15.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
secs=${2:-30}
PEERCALL=$build/peercall
NETSIM=$build/peercall-netsim
NC_WORK=$(mktemp -d /tmp/peercall-browser-viewer.XXXXXX)
export SDL_AUDIODRIVER=dummy
source "$root/bench/lib/netsim_call.sh"
source "$root/bench/lib/json_figure.sh"
trap 'netsim_call_cleanup; if [ "${KEEP:-0}" = 1 ]; then echo "kept $NC_WORK" >&2; else rm -rf "$NC_WORK"; fi' EXIT
[ "$(id -u)" = 0 ] || { echo "needs root (network namespaces)" >&2; exit 1; }
for f in "$PEERCALL" "$NETSIM"; do [ -x "$f" ] || { echo "no $f" >&2; exit 1; }; done
command -v node > /dev/null && [ -x /usr/bin/chromium ] && [ -d "$root/tests/browser/node_modules/playwright-core" ] ||
  { echo "needs node, /usr/bin/chromium and tests/browser/node_modules (scripts/browser_deps.sh)" >&2; exit 1; }

link_of() {
  case $1 in
    clean) echo "--delay 20ms --seed 5" ;;
    loss) echo "--delay 50ms --a-b loss=5% --seed 6" ;;
    loss10) echo "--delay 50ms --a-b loss=10% --seed 7" ;;
  esac
}

# watch NAME pc|pcn|cr LINK: one viewer for $secs seconds; leaves NAME.frames, NAME.c.jsonl.
watch() {
  local name=$1 who=$2 w=$NC_WORK/$1 sender extra=()
  nc_link_up "$name" "$3" "" || return 1
  [ "$who" = pcn ] && extra=(--no-fec)
  if [ "$who" != cr ]; then
    XDG_CONFIG_HOME=$NC_WORK/cfg ip netns exec $NC_NS_A "$PEERCALL" stream --invite $NC_CODE --port 5004 \
      --bind 198.18.0.1 --video test --audio tone --size 640x480 --fps 30 --view none --quiet \
      --stats "$w.s.jsonl" "${extra[@]}" > /dev/null 2> "$w.s.err" &
    sender=$!; NC_PIDS+=($sender)
    nc_wait_for 10 ip netns exec $NC_NS_A bash -c '(exec 3<>/dev/tcp/198.18.0.1/5004)' ||
      { echo "$name: the streamer did not start: $(tail -3 "$w.s.err")" >&2; return 1; }
    ip netns exec $NC_NS_B timeout $((secs + 60)) node "$NC_LIB/chromium_peer.mjs" whep \
      "https://198.18.0.1:5004/whep#$NC_CODE" "$secs" "$w.frames" "$w.c.jsonl" > /dev/null 2> "$w.c.err"
    echo $? > "$w.c.rc"
    kill -INT $sender 2> /dev/null; nc_wait_pid 10 $sender
  else
    mkdir -p "$w.sig"
    ip netns exec $NC_NS_A node "$NC_LIB/chromium_peer.mjs" listen "$w.sig" "$secs" /dev/null "$w.s.jsonl" \
      > /dev/null 2> "$w.s.err" &
    sender=$!; NC_PIDS+=($sender)
    ip netns exec $NC_NS_B timeout $((secs + 60)) node "$NC_LIB/chromium_peer.mjs" watch "$w.sig" "$secs" \
      "$w.frames" "$w.c.jsonl" > /dev/null 2> "$w.c.err"
    echo $? > "$w.c.rc"
    nc_wait_pid 20 $sender || kill $sender 2> /dev/null
  fi
  nc_link_down "$name"
}

scenarios=${SCENARIOS:-clean loss loss10}
for s in $scenarios; do
  for who in pc pcn cr; do
    watch "$s-$who" $who "$(link_of "$s")" || echo "$s-$who: failed" >&2
    "${NC_TIMELINE[@]}" summary "$NC_WORK/$s-$who.frames" --stats "$NC_WORK/$s-$who.c.jsonl" \
      > "$NC_WORK/$s-$who.json" 2> /dev/null || rm -f "$NC_WORK/$s-$who.json"
  done
done

echo
uptime | sed 's/^ */(machine load: /; s/$/)/'
printf '%-30s %-8s %9s %8s %8s %15s %9s\n' "Chromium watching, 640x480@30" "link" "shown" "freezes" "longest" "latency p50/p95" "lost/NACK"
for s in $scenarios; do
  for who in pc pcn cr; do
    j=$NC_WORK/$s-$who.json
    case $who in
      pc) label="peercall stream (RED+ULPFEC)" ;;
      pcn) label="peercall stream --no-fec" ;;
      cr) label="Chromium stream (NACK only)" ;;
    esac
    [ -e "$j" ] || { printf '%-30s %-8s (failed: %s)\n' "$label" "$s" "$(tail -c 200 "$NC_WORK/$s-$who.c.err" 2> /dev/null)"; continue; }
    lost=$(tail -n1 "$NC_WORK/$s-$who.c.jsonl" | /usr/bin/python3 -c "import json,sys; j=json.load(sys.stdin); print(j.get('packets_lost_in'), '/', j.get('nacks_sent'))" 2> /dev/null)
    printf '%-30s %-8s %8s%% %8s %5s ms %6s/%4s ms %9s\n' "$label" "$s" "$(f "$j" delivered_pct 1)" "$(f "$j" freezes_200ms)" \
      "$(f "$j" longest_freeze_ms)" "$(f "$j" latency_ms_p50)" "$(f "$j" latency_ms_p95)" "$lost"
  done
done
echo
echo "(shown: frames composited / captured; freezes: gaps over 200 ms; latency: stamp at capture to the"
echo " frame composited in the viewer (requestVideoFrameCallback), p50/p95 over the whole run; lost/NACK:"
echo " the viewer's packetsLost (before repair) and nackCount. clean: RTT 40 ms; loss: 5% random loss"
echo " towards the viewer, RTT 100 ms; loss10: 10%. peercall's figures include its FEC's overhead in the"
echo " same 1500 kbit/s cap; Chromium's sender adapts its own rate.)"
