#!/usr/bin/env bash
# --record writes a Matroska file that plays after Ctrl-C, and still has its
# frames after a SIGKILL (nothing gets to write a trailer then).
source "$(dirname "$0")/lib.sh"
port=$(free_port)
"$PEERCALL" stream --invite "$INVITE" --port "$port" --bind 127.0.0.1 "${SENDER[@]}" & S=$!; PIDS+=($S)
wait_for_port "$port"
"$PEERCALL" watch "127.0.0.1:$port/$INVITE" --view none --speaker none --quiet --record "$WORK/int.mkv" & W1=$!; PIDS+=($W1)
"$PEERCALL" watch "127.0.0.1:$port/$INVITE" --view none --speaker none --quiet --record "$WORK/kill.mkv" & W2=$!; PIDS+=($W2)
sleep 4
kill -INT $W1
kill -9 $W2
timeout 5 tail --pid=$W1 -f /dev/null || fail "the recording viewer ignored Ctrl-C"
wait $W1; rc=$?; [ $rc = 0 ] || fail "viewer exited $rc after Ctrl-C"
kill -INT $S; wait $S

probe() {  # FILE STREAM -> frames read
  ffprobe -v error -count_frames -select_streams "$2" -show_entries stream=nb_read_frames -of csv=p=0 "$1" 2>/dev/null | head -1
}
v=$(probe "$WORK/int.mkv" v:0); a=$(probe "$WORK/int.mkv" a:0)
note "after Ctrl-C: $v video and $a audio frames"
[ "${v:-0}" -ge 60 ] || fail "the recording stopped by Ctrl-C has ${v:-0} video frames"
[ "${a:-0}" -ge 100 ] || fail "the recording stopped by Ctrl-C has ${a:-0} audio frames"
# Decode every frame of both tracks (ffprobe -count_frames decodes): any
# decoding error is printed. (Not ffmpeg -f null: the file is variable frame
# rate, as captured, and a constant-rate output reports frames sharing a tick.)
ffprobe -v error -count_frames -show_entries stream=nb_read_frames -of csv=p=0 "$WORK/int.mkv" \
  > /dev/null 2> "$WORK/decode.err" || fail "the recording does not decode"
[ ! -s "$WORK/decode.err" ] || fail "decoding the recording reported errors: $(head -3 "$WORK/decode.err")"
v=$(probe "$WORK/kill.mkv" v:0)
note "after SIGKILL: $v video frames"
[ "${v:-0}" -ge 30 ] || fail "the recording of a killed viewer has ${v:-0} readable video frames"
echo "record test passed"
