#!/usr/bin/env bash
# Nobody gets a camera uninvited, identities are checked, and nothing crosses
# the wire in the clear: refusals without (or with a wrong) invitation code,
# the wrong kind of peer, a hand-made offer aiming media at a third port,
# --expect-fingerprint, a changed known peer, a known peer without a code, a
# capture of the call (tcpdump on lo) that holds only STUN, DTLS and SRTP,
# and tampered and replayed SRTP (sent as the real peer) dropped and counted.
source "$(dirname "$0")/lib.sh"
TOOL="/usr/bin/python3 $(dirname "$0")/pcap_tool.py"
LOG_RE='via ([0-9.]+):([0-9]+) \(host\) -> ([0-9.]+):([0-9]+)'

start_listener() {  # DIR PORT EXTRA... ; sets L
  local dir=$1 port=$2; shift 2
  XDG_CONFIG_HOME=$dir "$PEERCALL" listen --port "$port" --bind 127.0.0.1 "${MEDIA[@]}" "$@" \
    2> "$dir.err" & L=$!; PIDS+=($L)
  wait_for_port "$port"
}
refused() {  # WANT_TEXT TARGET EXTRA... : the call exits 3 with one line that says WANT_TEXT
  local want=$1; shift
  XDG_CONFIG_HOME=$WORK/caller timeout 15 "$PEERCALL" call "$@" "${MEDIA[@]}" --video-out "$WORK/refused.y4m" \
    > /dev/null 2> "$WORK/refused.err"; local rc=$?
  [ $rc = 3 ] || fail "call $* exited $rc, not 3: $(cat "$WORK/refused.err")"
  grep -qi -- "$want" "$WORK/refused.err" || fail "call $* did not say '$want': $(cat "$WORK/refused.err")"
  [ ! -s "$WORK/refused.y4m" ] || [ "$(grep -c FRAME "$WORK/refused.y4m")" = 0 ] || fail "a refused call showed pictures"
}

port=$(free_port)
start_listener "$WORK/a" "$port" --invite "$INVITE" --name carol --stats "$WORK/a.jsonl"
fp_a=$(sed -n 's/.*your fingerprint: //p' "$WORK/a.err")
[ -n "$fp_a" ] || fail "the banner shows no fingerprint: $(cat "$WORK/a.err")"

note "no invitation, a wrong one, the wrong kind of peer"
refused "invitation code" "127.0.0.1:$port"
refused "wrong" "127.0.0.1:$port/aaaaaaaaaaaaaaaaaaaaaaaa"
XDG_CONFIG_HOME=$WORK/caller timeout 15 "$PEERCALL" watch "127.0.0.1:$port/$INVITE" --view none --speaker none \
  --quiet 2> "$WORK/watch.err"; rc=$?
[ $rc = 3 ] && grep -q "this is a call" "$WORK/watch.err" || fail "watch at a listener: $rc $(cat "$WORK/watch.err")"
kill -0 $L || fail "the listener stopped after refusing callers"
grep -q "refused 127.0.0.1: no invitation code" "$WORK/a.err" || fail "the listener did not show the refusal: $(cat "$WORK/a.err")"

note "--expect-fingerprint that does not match"
refused "not the expected" "127.0.0.1:$port/$INVITE" \
  --expect-fingerprint "sha-256 $(printf '00:%.0s' $(seq 31))00"

note "a hand-made offer (no code) naming a third port: nothing is sent there"
trap_port=$(free_port)
/usr/bin/python3 - "$trap_port" > "$WORK/trap.txt" <<'PY' & T=$!; PIDS+=($T)
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", int(sys.argv[1])))
s.settimeout(0.2); n = 0; end = time.time() + 4
while time.time() < end:
    try: n += len(s.recv(2048))
    except socket.timeout: pass
print(n)
PY
offer=$'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\nc=IN IP4 0.0.0.0\r\na=mid:0\r\na=sendrecv\r\na=rtcp-mux\r\na=rtpmap:96 H264/90000\r\na=fmtp:96 packetization-mode=1;profile-level-id=42e01f\r\na=ice-ufrag:abcd\r\na=ice-pwd:abcdefghijklmnopqrstuvwx\r\na=fingerprint:sha-256 '"$(printf '11:%.0s' $(seq 31))11"$'\r\na=setup:actpass\r\na=candidate:1 1 UDP 2130706431 127.0.0.1 '"$trap_port"$' typ host\r\n'
code=$(curl -sk -o "$WORK/offer.body" -w '%{http_code}' -X POST "https://127.0.0.1:$port/whip" \
  -H 'Content-Type: application/sdp' --data-binary "$offer")
[ "$code" = 401 ] || fail "an uninvited hand-made offer got $code: $(cat "$WORK/offer.body")"
wait $T
[ "$(cat "$WORK/trap.txt")" = 0 ] || fail "$(cat "$WORK/trap.txt") bytes were sent to the third port"

note "an invited call, captured on lo: only STUN, DTLS and SRTP on the wire, no SDP in the clear"
tcpdump -i lo -U -s 0 -w "$WORK/call.pcap" "host 127.0.0.1" 2> /dev/null & D=$!; PIDS+=($D)
sleep 0.5
XDG_CONFIG_HOME=$WORK/caller timeout 20 "$PEERCALL" call "127.0.0.1:$port/$INVITE" "${MEDIA[@]}" --duration 5 \
  --name alice --expect-fingerprint "$fp_a" --video-out "$WORK/c.y4m" 2> "$WORK/c.err" & C=$!; PIDS+=($C)
for _ in $(seq 100); do grep -q "check aloud" "$WORK/a.err" && break; sleep 0.1; done
[[ "$(grep "check aloud" "$WORK/a.err")" =~ $LOG_RE ]] || fail "no connected line: $(cat "$WORK/a.err")"
l_ip=${BASH_REMATCH[1]} c_ip=${BASH_REMATCH[3]}
sleep 1.5
kill -INT $D; wait $D
wait $C || fail "the invited call failed: $(cat "$WORK/c.err")"
sas_a=$(grep -o "both sides show [0-9 ]*" "$WORK/a.err" | head -1)
sas_c=$(grep -o "both sides show [0-9 ]*" "$WORK/c.err" | head -1)
[ -n "$sas_a" ] && [ "$sas_a" = "$sas_c" ] || fail "check numbers differ: '$sas_a' vs '$sas_c'"
$TOOL classify "$WORK/call.pcap" > "$WORK/classes.json"
note "capture: $(cat "$WORK/classes.json")"
check "$WORK/classes.json" "j.get('dtls',0) >= 4 and j.get('stun',0) >= 2 and j['video_rtp'] >= 100" "the capture lacks the handshake or media"
check "$WORK/classes.json" "j['video_rtp_h264_like'] < 0.3 * j['video_rtp']" "video crossed the wire as plain H.264"
check "$WORK/classes.json" "j.get('other',0) == 0" "datagrams of no WebRTC class crossed the wire"
! $TOOL grep "$WORK/call.pcap" "a=fingerprint" || fail "SDP crossed the wire in the clear"
! $TOOL grep "$WORK/call.pcap" "$INVITE" || fail "the invitation code crossed the wire in the clear"
grep -q "remembered alice" "$WORK/c.err" || fail "the caller did not remember alice: $(cat "$WORK/c.err")"

timeout 10 tail --pid=$L -f /dev/null; wait $L || fail "the listener did not end with the call"

note "tampered and replayed SRTP, sent as the real peer, are dropped and counted"
start_listener "$WORK/a" "$port" --invite "$INVITE" --stats "$WORK/a.jsonl"
XDG_CONFIG_HOME=$WORK/caller timeout 20 "$PEERCALL" call "127.0.0.1:$port/$INVITE" "${MEDIA[@]}" --duration 5 \
  2> "$WORK/c2.err" & C=$!; PIDS+=($C)
for _ in $(seq 100); do grep -q "check aloud" "$WORK/a.err" && break; sleep 0.1; done
[[ "$(grep "check aloud" "$WORK/a.err")" =~ $LOG_RE ]] || fail "no connected line: $(cat "$WORK/a.err")"
timeout 5 tcpdump -i lo -U -s 0 -c 40 -w "$WORK/live.pcap" "udp and src port ${BASH_REMATCH[4]} and dst port ${BASH_REMATCH[2]}" 2> /dev/null
sent=$($TOOL replay "$WORK/live.pcap" "${BASH_REMATCH[3]}" "${BASH_REMATCH[1]}")
[ "$sent" -ge 40 ] || fail "only $sent packets replayed"
sleep 1.5
wait $C || fail "the call under replayed packets failed: $(cat "$WORK/c2.err")"
sleep 1.2
tail -n1 "$WORK/a.jsonl" > "$WORK/a.last.json"
note "listener: $(cat "$WORK/a.last.json")"
check "$WORK/a.last.json" "j['rejected'] >= $sent" "replayed and tampered SRTP were not all rejected and counted"
timeout 10 tail --pid=$L -f /dev/null; wait $L

note "a known peer gets in without a code; a changed one is warned about"
start_listener "$WORK/a" "$port" --stats "$WORK/a2.jsonl"   # a new, unknown invitation code
XDG_CONFIG_HOME=$WORK/caller timeout 20 "$PEERCALL" call "127.0.0.1:$port" "${MEDIA[@]}" --duration 2 \
  2> "$WORK/c3.err" || fail "the known caller was refused: $(cat "$WORK/c3.err")"
grep -q "known peer carol" "$WORK/a.err" || fail "the listener did not know carol: $(cat "$WORK/a.err")"
timeout 10 tail --pid=$L -f /dev/null; wait $L
start_listener "$WORK/b" "$port" --invite "$INVITE"  # someone else on the same address
XDG_CONFIG_HOME=$WORK/caller timeout 20 "$PEERCALL" call "127.0.0.1:$port/$INVITE" "${MEDIA[@]}" --duration 2 \
  --name alice 2> "$WORK/c4.err"
grep -q "alice IS NOT WHO IT WAS" "$WORK/c4.err" || fail "no warning for a changed alice: $(cat "$WORK/c4.err")"
timeout 10 tail --pid=$L -f /dev/null; wait $L
echo "security test passed"
