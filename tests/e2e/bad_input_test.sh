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
one_line_error 1 "no such file" -- "$PEERCALL" listen --invite "$INVITE" --port "$(free_port)" --video /nonexistent/clip.mp4 --audio none --view none --quiet
note "not a media file"
head -c 20000 /dev/urandom > "$WORK/junk.mp4"
one_line_error 1 "junk.mp4" -- "$PEERCALL" listen --invite "$INVITE" --port "$(free_port)" --video "$WORK/junk.mp4" --audio none --view none --quiet
note "garbage on stdin as y4m"
echo "this is not video" | one_line_error 1 "video" -- "$PEERCALL" listen --invite "$INVITE" --port "$(free_port)" --video - --audio none --view none --quiet
note "bad options"
one_line_error 2 "size" -- "$PEERCALL" call 127.0.0.1 --size huge
one_line_error 2 "port" -- "$PEERCALL" call 127.0.0.1:99999

note "malformed SDP and stray packets do not disturb a listener"
port=$(free_port)
"$PEERCALL" listen --invite "$INVITE" --port "$port" --bind 127.0.0.1 "${MEDIA[@]}" --video-out "$WORK/l.y4m" \
  --stats "$WORK/l.jsonl" & L=$!; PIDS+=($L)
wait_for_port "$port"
code=$(curl -sk -o "$WORK/body" -w '%{http_code}' -X POST "https://127.0.0.1:$port/whip" \
  -H "Authorization: Bearer $INVITE" -H 'Content-Type: application/sdp' --data-binary $'v=0\r\nhello\n')
[ "$code" = 400 ] || fail "bad SDP was not answered 400: $code $(cat "$WORK/body")"
code=$(curl -sk -o /dev/null -w '%{http_code}' -X POST "https://127.0.0.1:$port/whip" \
  -H "Authorization: Bearer $INVITE" -H 'Content-Type: application/sdp' --data-binary @<(head -c 200000 /dev/zero))
[ "$code" = 413 ] || fail "an oversized offer was not answered 413: $code"
timeout 20 "$PEERCALL" call "127.0.0.1:$port/$INVITE" "${MEDIA[@]}" --duration 4 & C=$!; PIDS+=($C)
sleep 1.5
note "garbage, fake RTP, fake DTLS and fake STUN at the listener's media ports during the call"
ports=$(ss -Hunap | grep "pid=$L," | awk '{print $4}' | sed 's/.*://' | sort -u)
[ -n "$ports" ] || fail "the listener has no UDP port"
/usr/bin/python3 - $ports <<'PY'
import os, random, socket, struct, sys
random.seed(1)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for port in map(int, sys.argv[1:]):
    for i in range(1000):
        kind = i % 4
        b = bytearray(os.urandom(random.randint(1, 1400)))
        if kind == 1:   # RTP v2 with our payload types: must fail SRTP authentication
            b[0] = 0x80; b[1] = random.choice([96, 111, 96 | 0x80])
        elif kind == 2: # a DTLS record header
            b[0] = 22; b[1:3] = b'\xfe\xfd'
        elif kind == 3: # a STUN header with an absurd length
            b[0:2] = b'\x00\x01'; b[2:4] = struct.pack('>H', 0xfff0); b[4:8] = b'\x21\x12\xa4\x42'
        s.sendto(bytes(b), ("127.0.0.1", port))
PY
kill -0 $L || fail "the listener died from stray packets"
note "a second caller while a call is on"
one_line_error 3 "busy" -- "$PEERCALL" call "127.0.0.1:$port/$INVITE" "${MEDIA[@]}"
wait $C || fail "a call after the garbage failed"
timeout 10 tail --pid=$L -f /dev/null; wait $L; rc=$?
[ $rc = 0 ] || fail "listener exited $rc"
"$ANALYZE" video "$WORK/l.y4m" > "$WORK/l.json"
check "$WORK/l.json" "j['unique'] >= 60" "the call after the garbage carried no video"
# (Datagrams from an address that never answered a connectivity check are
# dropped by ICE itself; security_test.sh spoofs the real peer's address.)
echo "bad input test passed"
