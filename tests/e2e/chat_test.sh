#!/usr/bin/env bash
# In-call controls over the data channel (SCTP over the call's DTLS): a line
# typed on one side is shown on the other with the sender's name, both ways;
# m and v on one side show as "muted" / "camera off" on the other (its log,
# status line and stats), and camera off stops the pictures; a flood of lines
# is refused and counted.
source "$(dirname "$0")/lib.sh"

port=$(free_port)
mkfifo "$WORK/l.keys" "$WORK/c.keys"
exec 7<>"$WORK/l.keys" 8<>"$WORK/c.keys"   # held open: the keys come later
USER=lena "$PEERCALL" listen --invite "$INVITE" --port "$port" --bind 127.0.0.1 "${MEDIA[@]}" \
  --stats "$WORK/l.jsonl" --duration 30 < "$WORK/l.keys" 2> "$WORK/l.log" &
L=$!; PIDS+=($L)
wait_for_port "$port"
USER=carl "$PEERCALL" call "127.0.0.1:$port/$INVITE" "${MEDIA[@]}" --duration 30 \
  --stats "$WORK/c.jsonl" < "$WORK/c.keys" 2> "$WORK/c.log" &
C=$!; PIDS+=($C)

# wait_for_line FILE TEXT: until TEXT shows in FILE (bounded).
wait_for_line() {
  for _ in $(seq 200); do grep -qF -- "$2" "$1" && return 0; kill -0 $L 2>/dev/null || break; sleep 0.05; done
  fail "no '$2' in $1: $(tail -n 20 "$1")"
}
wait_for_line "$WORK/c.log" "end-to-end encrypted"
wait_for_line "$WORK/l.log" "end-to-end encrypted"

note "chat both ways"
printf 'c hello from carl\n' >&8
wait_for_line "$WORK/l.log" "carl: hello from carl"
printf '/hi carl, lena here\n' >&7
wait_for_line "$WORK/c.log" "lena: hi carl, lena here"

note "mute and camera off show on the other side"
printf 'm' >&8
wait_for_line "$WORK/l.log" "muted their microphone"
printf 'v' >&8
wait_for_line "$WORK/l.log" "switched their camera off"
# wait_for_stats FILE EXPR WHY: until the last stats line of FILE satisfies EXPR (bounded).
wait_for_stats() {
  for _ in $(seq 100); do
    tail -n1 "$1" > "$1.last"
    json "$1.last" "$2" 2>/dev/null | grep -q True && return 0
    sleep 0.1
  done
  fail "$3: $(cat "$1.last")"
}
wait_for_stats "$WORK/l.jsonl" "j['remote_video_off'] and j['remote_audio_muted']" "the listener's stats do not show the caller's state"
cp "$WORK/l.jsonl.last" "$WORK/l.last.json"
frames_then=$(json "$WORK/l.last.json" "j['frames_in']")
sleep 2   # pictures would arrive at 30 fps
tail -n1 "$WORK/l.jsonl" > "$WORK/l.later.json"
check "$WORK/l.later.json" "j['frames_in'] - $frames_then <= 3" "pictures still arrive with the camera off"
printf 'v' >&8
wait_for_line "$WORK/l.log" "switched their camera on"

note "a flood is refused and counted"
for i in $(seq 40); do printf 'c line %d\n' "$i"; done >&8
wait_for_line "$WORK/c.log" "too many lines at once"

wait_for_stats "$WORK/c.jsonl" "j['chat_refused'] >= 20 and j['chat_sent'] >= 5" "the flood was not counted"
wait_for_stats "$WORK/l.jsonl" "j['chat_received'] >= 5 and j['chat_received'] <= 15" "the listener got more than the limit let through"
kill -INT $C; wait $C; rc_c=$?
timeout 10 tail --pid=$L -f /dev/null; wait $L
[ $rc_c = 0 ] || fail "the caller exited $rc_c: $(tail -n 5 "$WORK/c.log")"
echo "chat test passed"
