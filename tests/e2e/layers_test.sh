#!/usr/bin/env bash
# One viewer's bad link does not ruin the others' picture (issue 10): a
# stream with two viewers, the near one beside the streamer, the far one
# across peercall-netsim whose rate drops from 2 to 0.3 Mbit/s (300 ms queue)
# for 12 s of a 20 s stream (bench/lib/netsim_stream.sh; bench/viewers_bench.sh
# has the figures). The streamer must give the far viewer a second, lower
# encoding of its own (simulcast) while the near one keeps its rate and its
# frames: with one encoding for both (--layers 1) the near viewer's rate
# falls to the far one's, so the rate check below fails without simulcast.
# Args: PEERCALL ANALYZE [NETSIM]. Needs root, ip and /dev/net/tun; skipped (77) without.
source "$(dirname "$0")/lib.sh"
needs_netsim "${3:-}"
NC_WORK=$WORK
source "$(dirname "$0")/../../bench/lib/netsim_call.sh"
source "$(dirname "$0")/../../bench/lib/netsim_stream.sh"
trap 'netsim_call_cleanup; cleanup' EXIT

note "a stream, two viewers; the far one's link 2 -> 0.3 -> 2 Mbit/s"
netsim_stream s 20 "--delay 20ms --rate 2000 --queue 300ms --seed 21" \
  "3|both rate=300|drop;15|both rate=2000|restore" || fail "the stream was not made"
for v in near far; do
  [ "$(cat "$WORK/s.$v.rc")" = 0 ] || fail "the $v viewer exited $(cat "$WORK/s.$v.rc"): $(tail -3 "$WORK/s.$v.err")"
done
[ -n "$(nc_event s drop)" ] && [ -n "$(nc_event s restore)" ] || fail "the rate was not changed"
for v in near far; do
  nc_stream_summary s $v > "$WORK/$v.json" || fail "no figures for the $v viewer"
  note "$v: $(cat "$WORK/$v.json")"
done
nc_stats_max s video_layers viewers_on_second_layer layer_switches > "$WORK/streamer.json" ||
  fail "no stats from the streamer"
note "streamer: $(cat "$WORK/streamer.json")"
check "$WORK/streamer.json" "j['video_layers'] == 2 and j['viewers_on_second_layer'] == 1" \
  "the streamer never gave the slow viewer an encoding of its own"
far_kbps=$(/usr/bin/python3 -c "import json; print(json.load(open('$WORK/far.json'))['cap_kbps_in_median'] or 0)")
check "$WORK/far.json" "j['cap_kbps_in_median'] is not None and j['cap_kbps_in_median'] < 450" \
  "the far viewer got more than its link carries: the cap did not cap"
check "$WORK/near.json" "j['cap_kbps_in_median'] is not None and j['cap_kbps_in_median'] >= 2 * $far_kbps" \
  "the near viewer's rate fell with the far one's"
check "$WORK/near.json" "j['cap_fps'] >= 20 and j['cap_longest_freeze_ms'] < 500" \
  "the near viewer's picture suffered from the far one's link"
check "$WORK/far.json" "j['cap_fps'] >= 10" "the far viewer got too few pictures in the cap"
check "$WORK/far.json" "j['frames_after_restore'] >= 30" "the far viewer's pictures did not flow after the restore"
echo "layers test passed"
