#!/usr/bin/env bash
# The window's keys under Xvfb (typed into it with xdotool, as a user would):
# m and v in the listener's window show on the caller's side as muted and
# camera off (its log and stats), and v again brings the picture back.
source "$(dirname "$0")/lib.sh"
command -v xvfb-run > /dev/null || fail "xvfb-run is missing"
command -v xdotool > /dev/null || { echo "skipped: xdotool is missing"; exit 77; }
port=$(free_port)
cat > "$WORK/inside.sh" <<INNER
"$PEERCALL" listen --invite "$INVITE" --port $port --bind 127.0.0.1 ${MEDIA[*]} --view window --quiet --duration 40 \
  2> "$WORK/l.log" < /dev/null &
listener=\$!
# the window appears once the call is on; then each key, after the caller saw the one before
window() { xdotool search --onlyvisible --name peercall 2>/dev/null | head -n1; }
for _ in \$(seq 300); do [ -n "\$(window)" ] && break; sleep 0.1; done
[ -n "\$(window)" ] || { echo "no window"; kill \$listener; exit 1; }
step() {  # step KEY TEXT: type KEY into the window, wait for TEXT in the caller's log
  xdotool key --window "\$(window)" "\$1"
  for _ in \$(seq 200); do grep -qsF "\$2" "$WORK/c.log" && return 0; sleep 0.05; done
  echo "no '\$2' after \$1"; return 1
}
wait_stats() {  # the caller's stats say so too
  for _ in \$(seq 100); do grep -qF 'remote_audio_muted":true' "$WORK/c.jsonl" && return 0; sleep 0.05; done
  echo "the caller's stats never showed the listener muted"; return 1
}
for _ in \$(seq 300); do grep -qsF "end-to-end encrypted" "$WORK/c.log" && break; sleep 0.1; done
# (a key before the data channel is open is not lost: its line waits for the channel)
ok=0
step m "muted their microphone" && wait_stats && step v "switched their camera off" && step v "switched their camera on" && ok=1
xdotool key --window "\$(window)" q
wait \$listener
[ \$ok = 1 ]
INNER
timeout 90 xvfb-run -a -s "-screen 0 1280x800x24" bash "$WORK/inside.sh" > "$WORK/inside.log" 2>&1 &
X=$!; PIDS+=($X)
wait_for_port "$port"
timeout 60 "$PEERCALL" call "127.0.0.1:$port/$INVITE" "${MEDIA[@]}" --duration 40 --stats "$WORK/c.jsonl" \
  2> "$WORK/c.log" < /dev/null &
C=$!; PIDS+=($C)
wait $X; rc=$?
[ $rc = 0 ] || fail "the window's keys did not reach the other side: $(cat "$WORK/inside.log") $(tail -n 5 "$WORK/c.log")"
timeout 10 tail --pid=$C -f /dev/null; wait $C
echo "window keys test passed"
