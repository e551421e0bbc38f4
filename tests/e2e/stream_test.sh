#!/usr/bin/env bash
# A live stream with two viewers: both see the sender's pictures in order and
# matching; the streamer keeps going when a viewer leaves and exits 0 on
# Ctrl-C, which also ends the remaining viewer with exit 0.
source "$(dirname "$0")/lib.sh"
port=$(free_port)
"$PEERCALL" stream --invite "$INVITE" --port "$port" --bind 127.0.0.1 "${SENDER[@]}" &
S=$!; PIDS+=($S)
wait_for_port "$port"
"$PEERCALL" watch "127.0.0.1:$port/$INVITE" --view none --speaker none --quiet --duration 4 \
  --video-out "$WORK/v1.y4m" --audio-out "$WORK/v1.wav" &
V1=$!; PIDS+=($V1)
sleep 1
"$PEERCALL" watch "127.0.0.1:$port/$INVITE" --view none --speaker none --quiet \
  --video-out "$WORK/v2.y4m" &
V2=$!; PIDS+=($V2)
timeout 15 tail --pid=$V1 -f /dev/null; wait $V1; rc1=$?
[ $rc1 = 0 ] || fail "viewer 1 exited $rc1"
sleep 2
kill -0 $V2 2>/dev/null || fail "viewer 2 stopped when viewer 1 left"
kill -0 $S 2>/dev/null || fail "the streamer stopped when a viewer left"
kill -INT $S
timeout 10 tail --pid=$S -f /dev/null; wait $S; rcs=$?
timeout 10 tail --pid=$V2 -f /dev/null; wait $V2; rc2=$?
[ $rcs = 0 ] || fail "streamer exited $rcs"
[ $rc2 = 0 ] || fail "viewer 2 exited $rc2 when the stream ended"
for v in v1 v2; do
  "$ANALYZE" video "$WORK/$v.y4m" > "$WORK/$v.json" || fail "analyze $v"
  note "$v: $(cat "$WORK/$v.json")"
  check "$WORK/$v.json" "j['unique'] >= 90" "$v: too few frames"
  check "$WORK/$v.json" "j['in_order_fraction'] >= 0.99" "$v: frames out of order"
  check "$WORK/$v.json" "j['missing'] <= 0.01 * (j['unique'] + j['missing'])" "$v: more than 1% of frames lost"
  check "$WORK/$v.json" "j['psnr_y_mean'] >= 35" "$v: frames do not match"
done
"$ANALYZE" audio "$WORK/v1.wav" > "$WORK/v1.audio.json"
check "$WORK/v1.audio.json" "j['beeps'] >= 5" "viewer 1 did not hear the tone"
note "three viewers at the same instant: all get in (the one not ready yet is asked again)"
port=$(free_port)
"$PEERCALL" stream --invite "$INVITE" --port "$port" --bind 127.0.0.1 "${SENDER[@]}" & S=$!; PIDS+=($S)
wait_for_port "$port"
viewers=()
for n in 1 2 3; do
  "$PEERCALL" watch "127.0.0.1:$port/$INVITE" --view none --speaker none --quiet --duration 2 \
    --video-out "$WORK/at_once$n.y4m" 2> "$WORK/at_once$n.err" & viewers+=($!); PIDS+=($!)
done
for n in 1 2 3; do
  timeout 20 tail --pid=${viewers[$((n - 1))]} -f /dev/null; wait ${viewers[$((n - 1))]}; rc=$?
  [ $rc = 0 ] || fail "viewer $n of three at once exited $rc: $(tail -2 "$WORK/at_once$n.err")"
  "$ANALYZE" video "$WORK/at_once$n.y4m" > "$WORK/at_once$n.json" || fail "analyze at_once$n"
  check "$WORK/at_once$n.json" "j['unique'] >= 20" "viewer $n of three at once saw too few frames"
done
kill -INT $S; wait $S
echo "stream test passed"
