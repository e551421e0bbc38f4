# One peercall stream with two viewers, one of them across peercall-netsim,
# for bench/viewers_bench.sh and tests/e2e/layers_test.sh (sourced after
# netsim_call.sh, whose link, waits and cleanup it shares). The streamer
# listens in A (198.18.0.1); the near viewer watches from A itself, so its
# path never crosses the link; the far viewer watches from B, through it.
# Both viewers' video goes into frame_timeline.py; all three --stats are
# stamped with CLOCK_MONOTONIC, as in netsim_call.
#   netsim_stream NAME SECS "NETSIM OPTIONS" "EVENTS" [STREAM OPTIONS...]
# EVENTS as for netsim_call, timed from the far viewer's first picture.
# Leaves in $NC_WORK: NAME.near.frames / NAME.far.frames, NAME.near.jsonl /
# NAME.far.jsonl / NAME.s.jsonl (the streamer's stats), NAME.events,
# NAME.sim.out, NAME.*.err, NAME.near.rc / NAME.far.rc (the viewers' exit codes),
# NAME.near.y4m / NAME.far.y4m (their video, with NC_KEEP_Y4M=1).
# NC_PEER=chromium: the same with headless Chromiums (bench/lib/chromium_peer.mjs),
# as a browser streams to two viewers: one peer connection (and so one
# encoder, at that viewer's rate) each; NAME.s.jsonl is then the far one's sender.
NC_STREAM_MEDIA=(--video test --audio tone --size 640x480 --fps 30 --view none --quiet)

# nc_ns_of VIEWER: the namespace the near or far viewer watches from.
nc_ns_of() { if [ "$1" = near ]; then echo $NC_NS_A; else echo $NC_NS_B; fi; }

# nc_stream_summary NAME VIEWER: frame_timeline.py's figures for one viewer of
# the last stream, the rate drop's (its "drop" and "restore" events) included.
nc_stream_summary() {
  "${NC_TIMELINE[@]}" summary "$NC_WORK/$1.$2.frames" --stats "$NC_WORK/$1.$2.jsonl" \
    --sender-stats "$NC_WORK/$1.s.jsonl" --drop "$(nc_event "$1" drop)" --restore "$(nc_event "$1" restore)"
}

# nc_stats_max NAME KEY...: one JSON object, each key's largest value in the
# streamer's --stats over the whole stream.
nc_stats_max() {
  local name=$1; shift
  /usr/bin/python3 - "$NC_WORK/$name.s.jsonl" "$@" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.startswith('{')]
print(json.dumps({k: max((r.get(k, 0) for r in rows), default=None) for k in sys.argv[2:]}))
PY
}

netsim_stream() {
  local name=$1 secs=$2 simargs=$3 events=$4 w=$NC_WORK/$1
  shift 4
  local streamer sstamp v pids=() stamps=()
  nc_link_up "$name" "$simargs" "$events" || return 1
  [ "${NC_PEER:-peercall}" = chromium ] && { nc_chromium_stream "$name" "$secs" "$events"; return; }
  mkfifo "$w.s.fifo" "$w.near.fifo" "$w.far.fifo"
  for v in s near far; do
    "${NC_TIMELINE[@]}" stamp < "$w.$v.fifo" > "$w.$v.jsonl" &
    stamps+=($!); NC_PIDS+=($!)
  done
  XDG_CONFIG_HOME=$NC_WORK/cfg-s ip netns exec $NC_NS_A "$PEERCALL" stream --invite $NC_CODE --port 5004 \
    --bind 198.18.0.1 "${NC_STREAM_MEDIA[@]}" --stats "$w.s.fifo" "$@" > /dev/null 2> "$w.s.err" &
  streamer=$!; NC_PIDS+=($streamer)
  nc_wait_for 10 ip netns exec $NC_NS_A bash -c '(exec 3<>/dev/tcp/198.18.0.1/5004)' ||
    { echo "$name: the streamer did not start: $(tail -3 "$w.s.err")" >&2; return 1; }
  for v in near far; do
    ( XDG_CONFIG_HOME=$NC_WORK/cfg-$v ip netns exec "$(nc_ns_of $v)" timeout $((secs + 30)) "$PEERCALL" watch \
        198.18.0.1:5004/$NC_CODE --view none --speaker none --quiet --duration "$secs" --video-out - \
        --stats "$w.$v.fifo" 2> "$w.$v.err"
      echo $? > "$w.$v.rc" ) | if [ "${NC_KEEP_Y4M:-0}" = 1 ]; then tee "$w.$v.y4m"; else cat; fi |
      "${NC_TIMELINE[@]}" record "$w.$v.frames" &
    pids+=($!); NC_PIDS+=($!)
  done
  nc_wait_for 40 test -s "$w.far.frames" ||
    { echo "$name: no picture on the far viewer within 40 s: $(tail -3 "$w.far.err")" >&2; return 1; }
  nc_run_events "$name" "$w.far.frames" "$events"
  for v in "${pids[@]}"; do nc_wait_pid $((secs + 40)) "$v"; done
  kill -INT $streamer 2> /dev/null
  nc_wait_pid 15 $streamer
  for v in "${stamps[@]}"; do nc_wait_pid 5 "$v"; done
  nc_link_down "$name"
  rm -f "$w.s.fifo" "$w.near.fifo" "$w.far.fifo"
  for v in near far; do [ -s "$w.$v.rc" ] || echo 255 > "$w.$v.rc"; done
  return 0
}

# The baseline of netsim_stream: a sending Chromium page per viewer in A (its
# own peer connection), the viewers receive-only, near in A, far in B.
nc_chromium_stream() {
  local name=$1 secs=$2 events=$3 w=$NC_WORK/$1 v pids=() senders=()
  for v in near far; do
    mkdir -p "$w.sig-$v"
    ip netns exec $NC_NS_A node "$NC_LIB/chromium_peer.mjs" listen "$w.sig-$v" "$secs" \
      /dev/null "$w.s-$v.jsonl" > /dev/null 2> "$w.s-$v.err" &
    senders+=($!); NC_PIDS+=($!)
  done
  for v in near far; do
    NC_RC=$w.$v.rc ip netns exec "$(nc_ns_of $v)" node "$NC_LIB/chromium_peer.mjs" watch "$w.sig-$v" "$secs" \
      "$w.$v.frames" "$w.$v.jsonl" > /dev/null 2> "$w.$v.err" &
    pids+=($!); NC_PIDS+=($!)
  done
  nc_wait_for 60 test -s "$w.far.frames" ||
    { echo "$name: no picture on the far Chromium viewer within 60 s: $(tail -3 "$w.far.err")" >&2; return 1; }
  nc_run_events "$name" "$w.far.frames" "$events"
  for v in "${pids[@]}"; do nc_wait_pid $((secs + 60)) "$v"; done
  for v in "${senders[@]}"; do nc_wait_pid 20 "$v" || kill "$v" 2> /dev/null; done
  cp "$w.s-far.jsonl" "$w.s.jsonl" 2> /dev/null
  nc_link_down "$name"
  for v in near far; do [ -s "$w.$v.rc" ] || echo 255 > "$w.$v.rc"; done
  return 0
}
