#!/usr/bin/env bash
# Hanging up: Enter on either side ends the call on both with exit 0; a
# killed peer is said to have gone quiet after 3 s and given up (exit 4) after
# --give-up; Ctrl-C is a hang-up too.
source "$(dirname "$0")/lib.sh"

note "Enter on the caller"
port=$(free_port)
"$PEERCALL" listen --invite "$INVITE" --port "$port" --bind 127.0.0.1 "${MEDIA[@]}" & L=$!; PIDS+=($L)
wait_for_port "$port"
(sleep 2; echo) | timeout 15 "$PEERCALL" call "127.0.0.1:$port/$INVITE" "${MEDIA[@]}"; rc=$?
[ $rc = 0 ] || fail "caller exited $rc after Enter"
timeout 5 tail --pid=$L -f /dev/null || fail "listener still running 5 s after the caller hung up"
wait $L; rc=$?; [ $rc = 0 ] || fail "listener exited $rc"

note "q on the listener"
port=$(free_port)
(sleep 2.5; printf q; sleep 5) | "$PEERCALL" listen --invite "$INVITE" --port "$port" --bind 127.0.0.1 "${MEDIA[@]}" & L=$!; PIDS+=($L)
wait_for_port "$port"
timeout 15 "$PEERCALL" call "127.0.0.1:$port/$INVITE" "${MEDIA[@]}"; rc=$?
[ $rc = 0 ] || fail "caller exited $rc when the listener hung up"

note "Ctrl-C on the caller"
port=$(free_port)
"$PEERCALL" listen --invite "$INVITE" --port "$port" --bind 127.0.0.1 "${MEDIA[@]}" & L=$!; PIDS+=($L)
wait_for_port "$port"
"$PEERCALL" call "127.0.0.1:$port/$INVITE" "${MEDIA[@]}" & C=$!; PIDS+=($C)
sleep 2; kill -INT $C
timeout 5 tail --pid=$C -f /dev/null || fail "caller ignored Ctrl-C"
wait $C; rc=$?; [ $rc = 0 ] || fail "caller exited $rc after Ctrl-C"
timeout 5 tail --pid=$L -f /dev/null || fail "listener still running after the caller's Ctrl-C"
wait $L; rc=$?; [ $rc = 0 ] || fail "listener exited $rc"

note "killed listener"
port=$(free_port)
"$PEERCALL" listen --invite "$INVITE" --port "$port" --bind 127.0.0.1 "${MEDIA[@]}" & L=$!; PIDS+=($L)
wait_for_port "$port"
"$PEERCALL" call "127.0.0.1:$port/$INVITE" "${MEDIA[@]}" --give-up 5 2> "$WORK/caller.err" & C=$!; PIDS+=($C)
sleep 2; kill -9 $L
wait_for_text "$WORK/caller.err" "went quiet" 5 || fail "caller did not say the killed peer went quiet: $(cat "$WORK/caller.err")"
kill -0 $C 2> /dev/null || fail "caller gave up at once, not after --give-up 5"
timeout 5 tail --pid=$C -f /dev/null || fail "caller still waits for the killed peer past --give-up 5"
wait $C; rc=$?
[ $rc = 4 ] || fail "caller exited $rc, not 4 (peer lost): $(cat "$WORK/caller.err")"
grep -q "lost the other side: nothing heard for 5 s" "$WORK/caller.err" || fail "no clear message: $(cat "$WORK/caller.err")"

note "nobody listening"
port=$(free_port)
timeout 6 "$PEERCALL" call "127.0.0.1:$port/$INVITE" "${MEDIA[@]}" 2> "$WORK/closed.err"; rc=$?
[ $rc = 3 ] || fail "call to a closed port exited $rc, not 3: $(cat "$WORK/closed.err")"
grep -qi "refused" "$WORK/closed.err" || fail "no clear message: $(cat "$WORK/closed.err")"
[ "$(grep -c . "$WORK/closed.err")" -le 3 ] || fail "too chatty: $(cat "$WORK/closed.err")"
echo "hang-up test passed"
