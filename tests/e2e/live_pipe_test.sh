#!/usr/bin/env bash
# Live pipes: a y4m FIFO written at real time by another program is passed on
# as it arrives (latency read back from the frame stamps, generous bounds:
# the figures belong in the benchmark), a wav FIFO is heard, and a source that
# ends is drained: its last frames reach the viewer before the hang-up.
source "$(dirname "$0")/lib.sh"
TESTSRC="$(dirname "$PEERCALL")/peercall-testsrc"

note "a paced y4m into a FIFO, and a wav at real time into another"
mkfifo "$WORK/video.y4m" "$WORK/audio.fifo"
port=$(free_port)
"$PEERCALL" stream --invite "$INVITE" --port "$port" --bind 127.0.0.1 --video "$WORK/video.y4m" \
  --audio "$WORK/audio.fifo" --view none --quiet 2> "$WORK/stream.err" & S=$!; PIDS+=($S)
# Both writers start before the streamer can open its inputs (a FIFO opens
# when both ends do); 5 s of video, the sound for as long.
"$TESTSRC" --size 640x360 --fps 30 --duration 6 > "$WORK/video.y4m" & V=$!; PIDS+=($V)
ffmpeg -v error -re -f lavfi -i "sine=frequency=880:sample_rate=48000" -t 6 -ac 1 -f wav -y "$WORK/audio.fifo" & A=$!; PIDS+=($A)
wait_for_port "$port"
timeout 20 "$PEERCALL" watch "127.0.0.1:$port/$INVITE" --view none --speaker none --quiet --duration 10 \
  --audio-out "$WORK/live.wav" --video-out - 2> "$WORK/watch.err" |
  "$ANALYZE" video - --live > "$WORK/live.json"
note "live pipe: $(cat "$WORK/live.json")"
wait $S; rc=$?
[ $rc = 0 ] || fail "the streamer exited $rc when its FIFOs ended: $(cat "$WORK/stream.err")"
grep -qi "source ended" "$WORK/watch.err" "$WORK/stream.err" || note "(no 'source ended' line)"
check "$WORK/live.json" "j['width'] == 640 and j['unique'] >= 100 and j['psnr_y_mean'] >= 35" \
  "the live pictures did not arrive intact"
# The testsrc stamps each frame when it is written; a second pacing (100 ms
# of tolerated lateness) or a probe that buffers frames would show here.
check "$WORK/live.json" "0 < j['latency_ms_p50'] < 60 and j['latency_ms_p95'] < 120" \
  "a live pipe lags: $(cat "$WORK/live.json")"
note "drained: the last frames (of 180) arrived before the hang-up"
check "$WORK/live.json" "j['last'] >= 175" "the end of the source was cut off"
"$ANALYZE" audio "$WORK/live.wav" > "$WORK/live_audio.json"
note "live audio: $(cat "$WORK/live_audio.json")"
check "$WORK/live_audio.json" "j['seconds'] >= 3 and j['tone_dbfs'] > -40" "too little sound from the wav FIFO"
echo "live pipe test passed"
