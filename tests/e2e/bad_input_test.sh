#!/usr/bin/env bash
# Bad input gets a clear one-line error and a clean exit, or is dropped:
# missing files, garbage on stdin, bad options, malformed SDP and packets.
source "$(dirname "$0")/lib.sh"

one_line_error() {  # CODE WANTED_TEXT -- command...
  local want_rc=$1 text=$2; shift 3
  timeout 10 "$@" > /dev/null 2> "$WORK/err"; local rc=$?
  [ $rc = "$want_rc" ] || fail "'$*' exited $rc, wanted $want_rc: $(cat "$WORK/err")"
  grep -qi -- "$text" "$WORK/err" || fail "'$*' did not say '$text': $(cat "$WORK/err")"
  [ "$(grep -c . "$WORK/err")" -le 2 ] || fail "'$*' printed more than a line or two: $(cat "$WORK/err")"
}

note "missing file"
one_line_error 1 "no such file" -- "$PEERCALL" listen --port "$(free_port)" --video /nonexistent/clip.mp4 --audio none --view none --quiet
note "not a media file"
head -c 20000 /dev/urandom > "$WORK/junk.mp4"
one_line_error 1 "junk.mp4" -- "$PEERCALL" listen --port "$(free_port)" --video "$WORK/junk.mp4" --audio none --view none --quiet
note "garbage on stdin as y4m"
echo "this is not video" | one_line_error 1 "video" -- "$PEERCALL" listen --port "$(free_port)" --video - --audio none --view none --quiet
note "bad options"
one_line_error 2 "size" -- "$PEERCALL" call 127.0.0.1 --size huge
one_line_error 2 "port" -- "$PEERCALL" call 127.0.0.1:99999

note "malformed SDP and stray packets do not disturb a listener"
port=$(free_port)
"$PEERCALL" listen --port "$port" --bind 127.0.0.1 "${MEDIA[@]}" --video-out "$WORK/l.y4m" & L=$!; PIDS+=($L)
wait_for_port "$port"
exec 3<>/dev/tcp/127.0.0.1/"$port"
printf 'POST /whip HTTP/1.1\r\nHost: x\r\nContent-Type: application/sdp\r\nContent-Length: 11\r\n\r\nv=0\r\nhello\n' >&3
timeout 5 head -n1 <&3 > "$WORK/status" || true
exec 3>&-
grep -q " 400 " "$WORK/status" || fail "bad SDP was not answered 400: $(cat "$WORK/status")"
/usr/bin/python3 - "$port" <<'PY'
import os, random, socket, sys
random.seed(1)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(3000):
    b = bytearray(os.urandom(random.randint(0, 1400)))
    if b and i % 2: b[0] = 0x80
    s.sendto(bytes(b), ("127.0.0.1", int(sys.argv[1])))
PY
kill -0 $L || fail "the listener died from stray packets"
timeout 20 "$PEERCALL" call "127.0.0.1:$port" "${MEDIA[@]}" --duration 3 & C=$!; PIDS+=($C)
sleep 1.5
note "a second caller while a call is on"
one_line_error 3 "busy" -- "$PEERCALL" call "127.0.0.1:$port" "${MEDIA[@]}"
wait $C || fail "a call after the garbage failed"
timeout 10 tail --pid=$L -f /dev/null; wait $L; rc=$?
[ $rc = 0 ] || fail "listener exited $rc"
"$ANALYZE" video "$WORK/l.y4m" > "$WORK/l.json"
check "$WORK/l.json" "j['unique'] >= 60" "the call after the garbage carried no video"
echo "bad input test passed"
