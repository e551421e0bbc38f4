# One peercall call across peercall-netsim, for bench/bad_network_bench.sh and
# tests/e2e/bad_network_test.sh (sourced; bash). Two namespaces joined only
# through the tool (198.18.0.1 listens in A, 198.18.0.2 calls from B), both
# sides on the stamped test pattern and tone, 640x480 at 30 fps. The caller's
# received video goes through a pipe into frame_timeline.py (arrival time and
# stamp of every frame); both sides' --stats go through FIFOs that add the
# monotonic time of each line, so frames, stats and the link's events share
# one clock (CLOCK_MONOTONIC).
#
# Needs: $NC_WORK (a directory), $PEERCALL, $NETSIM; root and /dev/net/tun.
# NC_PEER=chromium makes the same call between two headless Chromiums instead
# (bench/lib/chromium_peer.mjs; node and tests/browser/node_modules).
#   netsim_call NAME SECS "NETSIM OPTIONS" "EVENTS"
# EVENTS: "OFFSET|COMMAND|LABEL;..." — at OFFSET seconds after the caller's
# first picture, COMMAND (a peercall-netsim stdin command, e.g. "both rate=300")
# is sent and "LABEL MONO_S" appended to NAME.events. Leaves in $NC_WORK:
#   NAME.frames (frame_timeline.py record), NAME.c.jsonl / NAME.l.jsonl (the
#   caller's / listener's stats with mono_s), NAME.events, NAME.sim.out (the
#   link's counters), NAME.y4m (the caller's video, with NC_KEEP_Y4M=1), NAME.c.rc (the caller's exit code), NAME.*.err (logs).
# Returns non-zero (with a reason on stderr) if the call could not be made.
NC_LIB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
NC_TIMELINE=(/usr/bin/python3 "$NC_LIB/frame_timeline.py")
NC_CODE=badnetworkbenchcode2345
NC_MEDIA=(--video test --audio tone --size 640x480 --fps 30 --view none --speaker none --quiet)
NC_PIDS=()
NC_NS_A=pcbn$$a
NC_NS_B=pcbn$$b

nc_now() { "${NC_TIMELINE[@]}" now; }

# Ends what netsim_call started (by pid) and removes the namespaces.
netsim_call_cleanup() {
  local p
  for p in "${NC_PIDS[@]}"; do kill -9 "$p" 2> /dev/null; done
  NC_PIDS=()
  exec 7>&- 2> /dev/null
  "$NETSIM" down --ns-a $NC_NS_A --ns-b $NC_NS_B 2> /dev/null || true
}

# nc_wait_for SECONDS COMMAND...: polls (every 50 ms) until COMMAND succeeds.
nc_wait_for() {
  local limit=$(($1 * 20)) i; shift
  for ((i = 0; i < limit; i++)); do
    "$@" 2> /dev/null && return 0
    sleep 0.05
  done
  return 1
}

# nc_wait_pid SECONDS PID: waits (bounded) for a process to end.
nc_wait_pid() { timeout "$1" tail --pid="$2" -f /dev/null 2> /dev/null; }

# nc_link_up NAME "NETSIM OPTIONS" "EVENTS": the link between the two
# namespaces, driven through a FIFO on its stdin (held open read-write on fd 7).
nc_link_up() {
  local name=$1 simargs=$2 w=$NC_WORK/$1
  rm -rf "$w".*
  echo "$name: $simargs; events: ${3:-none}" >&2
  mkfifo "$w.ctl"
  exec 7<> "$w.ctl"
  # shellcheck disable=SC2086
  "$NETSIM" up --ns-a $NC_NS_A --ns-b $NC_NS_B $simargs > "$w.sim.out" 2> "$w.sim.err" 0<&7 &
  NC_SIM=$!; NC_PIDS+=($NC_SIM)
  nc_wait_for 10 grep -qx ready "$w.sim.out" || { echo "$name: no link: $(cat "$w.sim.err")" >&2; return 1; }
}

# nc_link_down NAME: ends the link (its counters are in NAME.sim.out).
nc_link_down() {
  kill -TERM $NC_SIM 2> /dev/null
  nc_wait_pid 10 $NC_SIM
  exec 7>&-
  rm -f "$NC_WORK/$1.ctl"
}

# nc_run_events NAME FRAMES "EVENTS": each event at its offset after the
# first frame in FRAMES (a frame_timeline.py record), logged in NAME.events.
nc_run_events() {
  local w=$NC_WORK/$1 t0 ev offset cmd label target evs=()
  t0=$(awk 'NR == 1 {printf "%.6f", $1 / 1e6}' "$2")
  echo "first_picture $t0" > "$w.events"
  IFS=';' read -ra evs <<< "$3"
  for ev in "${evs[@]}"; do
    IFS='|' read -r offset cmd label <<< "$ev"
    target=$(/usr/bin/python3 -c "print($t0 + $offset)")
    sleep "$(/usr/bin/python3 -c "import time; print(max(0, $target - time.monotonic()))")"
    echo "$label $(nc_now)" >> "$w.events"
    echo "$cmd" >&7
  done
}

netsim_call() {
  local name=$1 secs=$2 simargs=$3 events=$4 w=$NC_WORK/$1
  local listener caller cstamp lstamp
  nc_link_up "$name" "$simargs" "$events" || return 1

  if [ "${NC_PEER:-peercall}" = chromium ]; then
    # The baseline: Chromium on each side, SDP exchanged by files in $w.sig.
    mkdir -p "$w.sig"
    ip netns exec $NC_NS_A node "$NC_LIB/chromium_peer.mjs" listen "$w.sig" "$secs" \
      "$w.l.frames" "$w.l.jsonl" > /dev/null 2> "$w.l.err" &
    listener=$!; NC_PIDS+=($listener)
    NC_RC=$w.c.rc ip netns exec $NC_NS_B node "$NC_LIB/chromium_peer.mjs" call "$w.sig" "$secs" \
      "$w.frames" "$w.c.jsonl" > /dev/null 2> "$w.c.err" &
    caller=$!; NC_PIDS+=($caller)
    cstamp=$caller; lstamp=$listener
  else
    mkfifo "$w.l.fifo" "$w.c.fifo"
    "${NC_TIMELINE[@]}" stamp < "$w.l.fifo" > "$w.l.jsonl" & lstamp=$!; NC_PIDS+=($lstamp)
    "${NC_TIMELINE[@]}" stamp < "$w.c.fifo" > "$w.c.jsonl" & cstamp=$!; NC_PIDS+=($cstamp)
    XDG_CONFIG_HOME=$NC_WORK/cfg-l ip netns exec $NC_NS_A "$PEERCALL" listen --invite $NC_CODE --port 5004 \
      --bind 198.18.0.1 "${NC_MEDIA[@]}" --stats "$w.l.fifo" > /dev/null 2> "$w.l.err" &
    listener=$!; NC_PIDS+=($listener)
    # Asked inside A itself, so the probe does not cross the impaired link.
    nc_wait_for 10 ip netns exec $NC_NS_A bash -c '(exec 3<>/dev/tcp/198.18.0.1/5004)' ||
      { echo "$name: the listener did not start: $(tail -3 "$w.l.err")" >&2; return 1; }

    ( XDG_CONFIG_HOME=$NC_WORK/cfg-c ip netns exec $NC_NS_B timeout $((secs + 30)) "$PEERCALL" call \
        198.18.0.1:5004/$NC_CODE --bind 198.18.0.2 "${NC_MEDIA[@]}" --duration "$secs" --video-out - \
        --stats "$w.c.fifo" 2> "$w.c.err"
      echo $? > "$w.c.rc" ) | if [ "${NC_KEEP_Y4M:-0}" = 1 ]; then tee "$w.y4m"; else cat; fi |
      "${NC_TIMELINE[@]}" record "$w.frames" &
    caller=$!; NC_PIDS+=($caller)
  fi
  nc_wait_for 40 test -s "$w.frames" ||
    { echo "$name: no picture within 40 s: $(tail -3 "$w.c.err")" >&2; return 1; }
  nc_run_events "$name" "$w.frames" "$events"

  nc_wait_pid $((secs + 40)) $caller
  nc_wait_pid 15 $listener || kill -INT $listener 2> /dev/null
  nc_wait_pid 5 $cstamp
  nc_wait_pid 5 $lstamp
  nc_link_down "$name"
  rm -f "$w.l.fifo" "$w.c.fifo"
  [ -s "$w.c.rc" ] || echo 255 > "$w.c.rc"
  return 0
}

# nc_event NAME LABEL: the monotonic time of an event of the last call.
nc_event() { awk -v l="$2" '$1 == l {print $2}' "$NC_WORK/$1.events"; }

# nc_summary NAME [summary options]: frame_timeline.py's figures for the call.
nc_summary() {
  local name=$1; shift
  "${NC_TIMELINE[@]}" summary "$NC_WORK/$name.frames" --stats "$NC_WORK/$name.c.jsonl" \
    --sender-stats "$NC_WORK/$name.l.jsonl" "$@"
}
