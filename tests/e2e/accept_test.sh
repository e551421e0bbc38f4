#!/usr/bin/env bash
# --accept ask through a pseudo-terminal (tmux): an uninvited caller is shown
# to the listener's user, who accepts (a) or declines (d) with a key, or lets
# the 30 s pass. Arrow keys in between must not hang up; ? lists the keys.
# A declined caller exits 3 with one line; the listener keeps listening.
source "$(dirname "$0")/lib.sh"
command -v tmux >/dev/null || { echo "no tmux: skipped"; exit 77; }
SOCK=$WORK/tmux.sock
tm() { tmux -S "$SOCK" "$@"; }
trap 'tm kill-server 2>/dev/null; cleanup' EXIT

# listen_in_tmux NAME PORT EXTRA...: the listener on a terminal of its own.
listen_in_tmux() {
  local name=$1 port=$2; shift 2
  tm new-session -d -s "$name" -x 160 -y 40 \
    "XDG_CONFIG_HOME=$XDG_CONFIG_HOME SDL_AUDIODRIVER=dummy '$PEERCALL' listen --accept ask --port $port \
     --bind 127.0.0.1 ${MEDIA[*]} $* 2>'$WORK/$name.log'; echo \$? > '$WORK/$name.rc'; sleep 30"
  wait_for_port "$port"
}
# Waits (bounded) until the file has the text.
wait_for_text() {
  local file=$1 text=$2 i
  for i in $(seq 1 150); do grep -qF -- "$text" "$file" 2>/dev/null && return 0; sleep 0.1; done
  fail "no '$text' in $file after 15 s: $(cat "$file" 2>/dev/null)"
}

note "accept"
port=$(free_port)
listen_in_tmux accept "$port"
tm send-keys -t accept Up Down Right Left F5 '?'   # none of them hangs up
wait_for_text "$WORK/accept.log" "a or y"
timeout 40 "$PEERCALL" call "127.0.0.1:$port" "${MEDIA[@]}" --duration 3 2> "$WORK/caller1.log" &
C=$!; PIDS+=($C)
wait_for_text "$WORK/accept.log" "not invited: let in?"
grep -F "call from 127.0.0.1, fingerprint" "$WORK/accept.log" >/dev/null || fail "the caller is not shown: $(cat "$WORK/accept.log")"
tm send-keys -t accept Up   # still no hang-up, and no answer
sleep 0.3                   # the arrow key has been read: nothing may happen now
tm send-keys -t accept a
wait $C; rc=$?
[ $rc = 0 ] || fail "accepted caller exited $rc: $(cat "$WORK/caller1.log")"
grep -qF "waiting for the other side to accept" "$WORK/caller1.log" || fail "the caller was not told to wait: $(cat "$WORK/caller1.log")"
grep -qF "connected" "$WORK/caller1.log" || fail "no call: $(cat "$WORK/caller1.log")"
wait_for_text "$WORK/accept.rc" "0"
grep -qF "keys:" "$WORK/accept.log" || fail "? did not list the keys: $(cat "$WORK/accept.log")"

note "decline, then time out"
port=$(free_port)
listen_in_tmux decline "$port"
timeout 40 "$PEERCALL" call "127.0.0.1:$port" "${MEDIA[@]}" --duration 3 2> "$WORK/caller2.log" &
C=$!; PIDS+=($C)
wait_for_text "$WORK/decline.log" "not invited: let in?"
tm send-keys -t decline d
wait $C; rc=$?
[ $rc = 3 ] || fail "declined caller exited $rc, not 3: $(cat "$WORK/caller2.log")"
tail -n1 "$WORK/caller2.log" | grep -qF "the other side declined the call" ||
  fail "the caller's last line is not the decline: $(cat "$WORK/caller2.log")"
[ ! -e "$WORK/decline.rc" ] || fail "the listener stopped after declining: $(cat "$WORK/decline.log")"

start=$(date +%s)
timeout 50 "$PEERCALL" call "127.0.0.1:$port" "${MEDIA[@]}" --duration 3 2> "$WORK/caller3.log"
rc=$?
took=$(( $(date +%s) - start ))
[ $rc = 3 ] || fail "unanswered caller exited $rc, not 3: $(cat "$WORK/caller3.log")"
[ $took -ge 29 ] && [ $took -le 40 ] || fail "the unanswered call ended after ${took} s, not 30"
tail -n1 "$WORK/caller3.log" | grep -qF "did not accept" || fail "unexpected last line: $(cat "$WORK/caller3.log")"
[ ! -e "$WORK/decline.rc" ] || fail "the listener stopped after a timeout: $(cat "$WORK/decline.log")"
tm send-keys -t decline q
wait_for_text "$WORK/decline.rc" "0"
echo "accept test passed"
