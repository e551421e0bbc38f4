#!/usr/bin/env bash
# A call that holds on a bad network (issue 10), shortened from
# bench/bad_network_bench.sh: real peercall calls between two namespaces
# joined only through peercall-netsim (198.18.0.0/15), the stamped test
# pattern at 640x480@30 each way, measured on the caller from every received
# frame's stamp (bench/lib/frame_timeline.py) and both sides' stats.
#  b) 5% random loss each way, RTT 100 ms, 15 s: at least 90% of the frames
#     shown, no freeze of 1 s or more;
#  d) 2 Mbit/s, 0.3 Mbit/s for 10 s (300 ms queue), 2 Mbit/s again, 20 s: the
#     sender's estimate falls below 600 kbit/s in the cap, the latency is back
#     under 1 s within 8 s of the drop, and whole pictures flow after the restore.
# The bounds are generous (the machine is shared); the figures are the bench's.
# Args: PEERCALL ANALYZE [NETSIM] (NETSIM defaults to peercall-netsim next to PEERCALL).
# Needs root, ip and /dev/net/tun; skipped (77) without.
source "$(dirname "$0")/lib.sh"
needs_netsim "${3:-}"
NC_WORK=$WORK
source "$(dirname "$0")/../../bench/lib/netsim_call.sh"
trap 'netsim_call_cleanup; cleanup' EXIT

# pauses NAME: video pauses at a collapse, the listener's and the caller's (their last stats).
pauses() {
  /usr/bin/python3 -c "
import json, sys
print(sum(json.loads(open(f).read().splitlines()[-1])['video_pauses'] for f in sys.argv[1:]))" \
    "$WORK/$1.l.jsonl" "$WORK/$1.c.jsonl"
}

# link_drops NAME: the share of packets towards the caller the link dropped (%).
link_drops() {
  grep '^{' "$WORK/$1.sim.out" | tail -1 | /usr/bin/python3 -c "
import json, sys
d = json.load(sys.stdin)['a->b']
print(100.0 * (d['dropped_loss'] + d['dropped_queue']) / max(1, d['packets_in']))"
}

note "b) 5% random loss each way, RTT 100 ms"
netsim_call b 15 "--delay 50ms --loss 5% --seed 12" "" || fail "b: the call was not made"
[ "$(cat "$WORK/b.c.rc")" = 0 ] || fail "b: the caller exited $(cat "$WORK/b.c.rc"): $(tail -3 "$WORK/b.c.err")"
drops=$(link_drops b) || fail "b: no counters from the link"
note "b: the link dropped $drops% towards the caller"
/usr/bin/python3 -c "import sys; sys.exit(0 if $drops >= 2 else 1)" || fail "b: the link lost nothing: the test did not test"
nc_summary b > "$WORK/b.json" || fail "b: no figures"
note "b: $(cat "$WORK/b.json")"
check "$WORK/b.json" "j['frames_shown'] >= 200" "b: too few whole pictures"
check "$WORK/b.json" "j['delivered_pct'] >= 90" "b: less than 90% of the frames shown"
check "$WORK/b.json" "j['longest_freeze_ms'] < 1000" "b: a freeze of 1 s or more"
b_pauses=$(pauses b) || fail "b: no video_pauses in the stats"
[ "$b_pauses" = 0 ] || fail "b: random loss paused the video $b_pauses times (it is no collapse)"

note "d) 2 Mbit/s, 0.3 Mbit/s for 10 s (300 ms queue), 2 Mbit/s again"
netsim_call d 20 "--delay 20ms --rate 2000 --queue 300ms --seed 14" \
  "3|both rate=300|drop;13|both rate=2000|restore" || fail "d: the call was not made"
[ "$(cat "$WORK/d.c.rc")" = 0 ] || fail "d: the caller exited $(cat "$WORK/d.c.rc"): $(tail -3 "$WORK/d.c.err")"
drop=$(nc_event d drop); restore=$(nc_event d restore)
[ -n "$drop" ] && [ -n "$restore" ] || fail "d: the rate was not changed"
nc_summary d --drop "$drop" --restore "$restore" > "$WORK/d.json" || fail "d: no figures"
note "d: $(cat "$WORK/d.json")"
check "$WORK/d.json" "j['sender_bwe_kbps_min_in_cap'] is not None and j['sender_bwe_kbps_min_in_cap'] < 600" \
  "d: the sender's bandwidth estimate did not fall below 600 kbit/s in the 300 kbit/s cap"
check "$WORK/d.json" "j['back_under_1s_s'] is not None and j['back_under_1s_s'] <= 8" \
  "d: the latency was not back under 1 s within 8 s of the drop (or no whole picture came in the cap)"
check "$WORK/d.json" "j['frames_after_restore'] >= 30" "d: whole pictures did not flow again after the restore"
d_pauses=$(pauses d) || fail "d: no video_pauses in the stats"
[ "$d_pauses" -ge 1 ] || fail "d: the collapse never paused the video while the queue drained"
echo "bad network test passed"
