#!/usr/bin/env bash
# Lip sync put out of step and corrected, end to end. One stream, two viewers
# at once, each playing to a speaker (SDL's dummy driver, see lib.sh):
#   A says its speaker adds 250 ms nobody reports (--speaker-delay 250, as a
#     Bluetooth headset would): its sound is heard ~250 ms later, beyond
#     ITU-R BT.1359's window (sound at most 125 ms behind the picture), so
#     its pictures must be held until the offset is back inside it;
#   B is the control: the same speaker without the option.
# Checked from the --stats lines: A's hold rises well above 0 within 15 s
# and both end inside the window (-125..+45 ms); A holds ~250 ms more than B.
# B holds little or nothing: its speaker's queue is trimmed back to ~10-30 ms
# after the dummy device's stall at start (it used to stay ~100 ms deep, and
# B held ~60 ms for it; now 0).
# And that the pictures really are shown later: --video-out goes through the
# held render stage, so the latency read back from the frame stamps of A's
# y4m pipe is higher than B's by about the difference in hold.
source "$(dirname "$0")/lib.sh"

note "--speaker-delay is refused outside 0-2000 ms"
for bad in 2001 -1 abc; do
  timeout 10 "$PEERCALL" watch 127.0.0.1/abc --speaker-delay "$bad" > /dev/null 2> "$WORK/err"; rc=$?
  [ $rc = 2 ] || fail "--speaker-delay $bad exited $rc, not 2: $(cat "$WORK/err")"
  grep -qF -- "--speaker-delay $bad: must be 0-2000" "$WORK/err" || fail "--speaker-delay $bad said: $(cat "$WORK/err")"
done

port=$(free_port)
"$PEERCALL" stream --invite "$INVITE" --port "$port" --bind 127.0.0.1 "${SENDER[@]}" 2> "$WORK/stream.err" &
S=$!; PIDS+=($S)
wait_for_port "$port"
# viewer NAME EXTRA...: 20 s to a speaker, stats to NAME.jsonl, the pictures
# through a pipe into the analyzer (arrival time = when they were shown).
viewer() {
  local name=$1; shift
  set -o pipefail
  timeout 40 "$PEERCALL" watch "127.0.0.1:$port/$INVITE" --view none --quiet --duration 20 \
    --speaker default "$@" --stats "$WORK/$name.jsonl" --video-out - 2> "$WORK/$name.err" |
    "$ANALYZE" video - --live > "$WORK/$name.json"
}
started=$SECONDS
viewer a --speaker-delay 250 & A=$!; PIDS+=($A)
viewer b & B=$!; PIDS+=($B)

# hold FILE: the largest av_sync_video_hold_ms so far (0 before any line).
hold() {
  /usr/bin/python3 -c "
import json
print(max([json.loads(l).get('av_sync_video_hold_ms', 0) for l in open('$1') if l.strip()] or [0]))" 2> /dev/null || echo 0
}
note "A's pictures are held within 15 s (polled: stats come once a second)"
held=0
while [ $((SECONDS - started)) -lt 15 ]; do
  held=$(hold "$WORK/a.jsonl")
  [ "$held" -ge 100 ] && break
  sleep 0.2
done
[ "$held" -ge 100 ] || fail "the viewer with --speaker-delay 250 held its pictures only $held ms after 15 s: $(tail -1 "$WORK/a.jsonl" 2> /dev/null)"
note "held $held ms after $((SECONDS - started)) s"

wait $A || fail "viewer A failed: $(tail -3 "$WORK/a.err")"
wait $B || fail "viewer B failed: $(tail -3 "$WORK/b.err")"
kill -INT $S; wait $S

# The last three seconds of each viewer, averaged (one line a second).
for v in a b; do
  /usr/bin/python3 - "$WORK/$v.jsonl" > "$WORK/$v.last.json" <<'PY' || fail "$v: too few stats lines with an A/V offset"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
lines = [j for j in lines if 'av_offset_ms' in j and 'latency_ms_p50' in j][-3:]
if len(lines) < 3: sys.exit(1)
mean = lambda k: sum(j[k] for j in lines) / len(lines)
print(json.dumps({'av_offset_ms': mean('av_offset_ms'), 'min_offset_ms': min(j['av_offset_ms'] for j in lines),
                  'max_offset_ms': max(j['av_offset_ms'] for j in lines),
                  'hold_ms': mean('av_sync_video_hold_ms'), 'audio_min_ms': mean('av_sync_audio_min_ms'),
                  'latency_ms': mean('latency_ms_p50')}))
PY
  note "$v: $(cat "$WORK/$v.last.json"); y4m pipe: $(cat "$WORK/$v.json")"
  check "$WORK/$v.last.json" "-125 <= j['min_offset_ms'] and j['max_offset_ms'] <= 45" "viewer $v ends out of sync"
  check "$WORK/$v.json" "j['unique'] >= 300 and j['psnr_y_mean'] >= 35" "viewer $v did not see the stream"
done
read -r hold_a hold_b lat_a lat_b p95_a p95_b < <(/usr/bin/python3 -c "
import json
a, b = (json.load(open('$WORK/%s.last.json' % v)) for v in 'ab')
ya, yb = (json.load(open('$WORK/%s.json' % v)) for v in 'ab')
print(round(a['hold_ms']), round(b['hold_ms']), round(a['latency_ms']), round(b['latency_ms']),
      round(ya['latency_ms_p95']), round(yb['latency_ms_p95']))")
note "hold A $hold_a ms, B $hold_b ms; shown latency A $lat_a ms, B $lat_b ms; y4m p95 A $p95_a ms, B $p95_b ms"
# The option's 250 ms, less what B already held for its speaker's own queue
# (the speaker's queue differs a little between the two).
[ $((hold_a - hold_b)) -ge 150 ] && [ $((hold_a - hold_b)) -le 350 ] ||
  fail "--speaker-delay 250 added $((hold_a - hold_b)) ms of hold (A $hold_a, B $hold_b), not ~250"
[ "$hold_b" -le 40 ] || fail "the control viewer held its pictures $hold_b ms: its speaker keeps a standing queue"
check "$WORK/a.last.json" "j['audio_min_ms'] == 0" "A delayed its sound too"
# Shown later by the hold: the stats' latency (where pictures are shown) and,
# independently, the y4m pipe read by another process.
d=$((hold_a - hold_b))
[ $((lat_a - lat_b)) -ge $((d - 40)) ] && [ $((lat_a - lat_b)) -le $((d + 40)) ] ||
  fail "A's pictures are shown $((lat_a - lat_b)) ms later than B's, not ~$d ms (the hold)"
[ $((p95_a - p95_b)) -ge $((d / 2)) ] ||
  fail "A's y4m pictures arrive only $((p95_a - p95_b)) ms later than B's (p95), the hold is $d ms"
echo "lipsync test passed"
