#!/usr/bin/env bash
# Sources other than the test pattern: a file FFmpeg reads (looped) and y4m
# piped on stdin; and the command line itself (--help everywhere, devices).
source "$(dirname "$0")/lib.sh"

note "--help for every subcommand, and devices"
for cmd in listen call stream watch demo devices; do
  "$PEERCALL" "$cmd" --help > "$WORK/help.txt" || fail "$cmd --help failed"
  grep -q -- "--" "$WORK/help.txt" || fail "$cmd --help shows no options"
done
"$PEERCALL" devices > "$WORK/devices.txt" || fail "devices failed"
grep -q "Cameras" "$WORK/devices.txt" || fail "devices lists no cameras section"

note "a looped mp4 with sound"
ffmpeg -v error -f lavfi -i testsrc2=size=320x240:rate=30 -f lavfi -i sine=frequency=880 -t 1 \
  -c:v libx264 -pix_fmt yuv420p -c:a aac -shortest "$WORK/clip.mp4" || fail "cannot make the clip"
port=$(free_port)
"$PEERCALL" stream --invite "$INVITE" --port "$port" --bind 127.0.0.1 --video "$WORK/clip.mp4" --audio "$WORK/clip.mp4" \
  --loop --size 320x240 --view none --quiet & S=$!; PIDS+=($S)
wait_for_port "$port"
timeout 20 "$PEERCALL" watch "127.0.0.1:$port/$INVITE" --view none --speaker none --quiet --duration 3 \
  --video-out "$WORK/file.y4m" --audio-out "$WORK/file.wav" || fail "watching the file stream failed"
kill -0 $S || fail "the streamer stopped although the file loops"
kill -INT $S; wait $S
"$ANALYZE" video "$WORK/file.y4m" > "$WORK/file.json"
check "$WORK/file.json" "j['frames'] >= 60 and j['width'] == 320" "too little video from the looped file"
"$ANALYZE" audio "$WORK/file.wav" > "$WORK/file_audio.json"
check "$WORK/file_audio.json" "j['seconds'] >= 2 and j['tone_dbfs'] > -40" "no sound from the file"

note "--audio auto with a file as --video sends the file's own sound, not the test tone"
port=$(free_port)
"$PEERCALL" stream --invite "$INVITE" --port "$port" --bind 127.0.0.1 --video "$WORK/clip.mp4" --loop \
  --view none --quiet 2> "$WORK/auto.err" & S=$!; PIDS+=($S)
wait_for_port "$port"
timeout 20 "$PEERCALL" watch "127.0.0.1:$port/$INVITE" --view none --speaker none --quiet --duration 3 \
  --video-out "$WORK/auto.y4m" --audio-out "$WORK/auto.wav" || fail "watching the file stream failed"
kill -INT $S; wait $S
grep -q "sound track of" "$WORK/auto.err" || fail "--audio auto did not take the file's sound: $(cat "$WORK/auto.err")"
grep -q "test tone" "$WORK/auto.err" && fail "--audio auto fell back to the test tone: $(cat "$WORK/auto.err")"
"$ANALYZE" audio "$WORK/auto.wav" > "$WORK/auto_audio.json"
check "$WORK/auto_audio.json" "j['seconds'] >= 2 and j['tone_dbfs'] > -40" "no sound from the file's own track"
"$ANALYZE" video "$WORK/auto.y4m" > "$WORK/auto.json"
check "$WORK/auto.json" "j['width'] == 320 and j['height'] == 240" "the file did not keep its own size without --size"

note "y4m on stdin"
port=$(free_port)
"$(dirname "$PEERCALL")/peercall-testsrc" --size 640x360 --fps 30 --duration 8 |
  "$PEERCALL" stream --invite "$INVITE" --port "$port" --bind 127.0.0.1 --video - --audio none --size 640x360 \
    --view none --quiet & S=$!; PIDS+=($S)
wait_for_port "$port"
timeout 20 "$PEERCALL" watch "127.0.0.1:$port/$INVITE" --view none --speaker none --quiet --duration 3 \
  --video-out "$WORK/pipe.y4m" || fail "watching the piped stream failed"
"$ANALYZE" video "$WORK/pipe.y4m" > "$WORK/pipe.json"
note "piped: $(cat "$WORK/pipe.json")"
check "$WORK/pipe.json" "j['unique'] >= 60 and j['psnr_y_mean'] >= 35" "the piped pictures did not arrive intact"
timeout 15 tail --pid=$S -f /dev/null || fail "the streamer did not end with its input"
wait $S; rc=$?
[ $rc = 0 ] || fail "the streamer exited $rc at the end of its input"
echo "sources test passed"
