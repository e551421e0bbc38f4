#!/usr/bin/env bash
# A two-way call on loopback: both sides receive each other's video and audio,
# frames arrive in order and match what was sent, the tone is heard, the
# recording is playable, and both exit 0 when the caller hangs up.
source "$(dirname "$0")/lib.sh"
port=$(free_port)
"$PEERCALL" listen --invite "$INVITE" --port "$port" --bind 127.0.0.1 "${MEDIA[@]}" \
  --video-out "$WORK/l.y4m" --audio-out "$WORK/l.wav" --stats "$WORK/l.jsonl" &
L=$!; PIDS+=($L)
wait_for_port "$port"
timeout 30 "$PEERCALL" call "127.0.0.1:$port/$INVITE" "${MEDIA[@]}" --duration 6 \
  --video-out "$WORK/c.y4m" --audio-out "$WORK/c.wav" --record "$WORK/c.mkv" --stats "$WORK/c.jsonl"
rc_c=$?
timeout 10 tail --pid=$L -f /dev/null; wait $L; rc_l=$?
[ $rc_c = 0 ] || fail "caller exited $rc_c"
[ $rc_l = 0 ] || fail "listener exited $rc_l after the caller hung up"

for side in l c; do
  "$ANALYZE" video "$WORK/$side.y4m" > "$WORK/$side.video.json" || fail "analyze $side video"
  note "$side video: $(cat "$WORK/$side.video.json")"
  check "$WORK/$side.video.json" "j['unique'] >= 120" "$side: too few frames"
  check "$WORK/$side.video.json" "j['in_order_fraction'] >= 0.99" "$side: frames out of order"
  check "$WORK/$side.video.json" "j['missing'] <= 0.01 * (j['unique'] + j['missing'])" "$side: more than 1% of frames lost"
  check "$WORK/$side.video.json" "j['psnr_y_mean'] >= 35" "$side: received frames do not match the sent ones"
  "$ANALYZE" audio "$WORK/$side.wav" > "$WORK/$side.audio.json" || fail "analyze $side audio"
  note "$side audio: $(cat "$WORK/$side.audio.json")"
  check "$WORK/$side.audio.json" "j['beeps'] >= 8 and abs(j['period_ms'] - 500) < 25" "$side: the tone is not heard"
done
tail -n1 "$WORK/c.jsonl" > "$WORK/c.last.json"
check "$WORK/c.last.json" "j['fps_in'] > 20 and j['kbps_in'] > 100 and 'rtt_ms' in j" "stats are missing"

ffprobe -v error -show_entries stream=codec_name -of csv=p=0 "$WORK/c.mkv" > "$WORK/streams.txt" ||
  fail "the recording is not readable"
grep -qx h264 "$WORK/streams.txt" || fail "no h264 track in the recording: $(cat "$WORK/streams.txt")"
grep -qx opus "$WORK/streams.txt" || fail "no opus track in the recording: $(cat "$WORK/streams.txt")"
frames=$(ffprobe -v error -count_frames -select_streams v:0 -show_entries stream=nb_read_frames -of csv=p=0 "$WORK/c.mkv")
[ "${frames:-0}" -ge 120 ] || fail "the recording has only ${frames:-0} video frames"
# Lip sync (ITU-R BT.1359): the sound at most 45 ms ahead of the picture, at most 125 ms behind.
check "$WORK/c.last.json" "'av_offset_ms' in j and -125 <= j['av_offset_ms'] <= 45" "audio and video out of sync"
# In the window already: the correction adds no delay to either stream.
check "$WORK/c.last.json" "j.get('av_sync_video_hold_ms') == 0 and j.get('av_sync_audio_min_ms') == 0" \
  "lip sync added delay on a clean call: $(json "$WORK/c.last.json" "(j.get('av_sync_video_hold_ms'), j.get('av_sync_audio_min_ms'))")"
note "caller's A/V offset: $(json "$WORK/c.last.json" "j.get('av_offset_ms')") ms (+ = sound ahead)"
echo "call test passed"
