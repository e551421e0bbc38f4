#!/usr/bin/env bash
# peercall-netsim, the project's bad link, end to end (198.18.0.0/15 only):
#  a) up with 100 ms each way, 10% loss and a 1 Mbit/s cap: "ready", then
#     50 pings 50 ms apart see an RTT of ~200 ms and a round-trip loss in range,
#     and a 2 Mbit/s UDP blast arrives at ~1 Mbit/s; the counters (SIGUSR1)
#     show the loss, the queue drops and a queue delay bounded by the queue;
#  b) a second `up` on the same namespaces and an address outside the range
#     are refused;
#  c) SIGTERM prints the counters and removes every namespace and device;
#     after a SIGKILL, `peercall-netsim down` removes the leftovers.
# Args: PEERCALL ANALYZE [NETSIM] (NETSIM defaults to peercall-netsim next to PEERCALL).
# Needs root, ip and /dev/net/tun; skipped (77) without. Uses ping when
# installed, else an ICMP echo in Python with the same pattern.
source "$(dirname "$0")/lib.sh"
NETSIM=${3:-${NETSIM:-$(dirname "$PEERCALL")/peercall-netsim}}
[ "$(id -u)" = 0 ] || { echo "skipped: needs root"; exit 77; }
command -v ip > /dev/null || { echo "skipped: ip is missing"; exit 77; }
[ -c /dev/net/tun ] || { echo "skipped: no /dev/net/tun"; exit 77; }
[ -x "$NETSIM" ] || fail "no peercall-netsim at $NETSIM"
A=pcs$$a
B=pcs$$b
ip netns add ${A}probe 2> /dev/null || { echo "skipped: cannot create network namespaces"; exit 77; }
ip netns del ${A}probe
SIM=
cleanup_sim() {
  [ -n "$SIM" ] && kill -9 "$SIM" 2> /dev/null
  "$NETSIM" down --ns-a $A --ns-b $B 2> /dev/null
  cleanup
}
trap cleanup_sim EXIT
RATE=1000
QUEUE=64000

# start_sim OUT ARGS...: runs `up` in the background (sets SIM), waits for "ready".
start_sim() {
  local out=$1 i; shift
  "$NETSIM" up --ns-a $A --ns-b $B "$@" > "$out" 2> "$out.err" < /dev/null &
  SIM=$!
  for i in $(seq 100); do
    grep -qx ready "$out" && return 0
    kill -0 $SIM 2> /dev/null || fail "peercall-netsim exited: $(cat "$out.err")"
    sleep 0.05
  done
  fail "no \"ready\" after 5 s: $(cat "$out.err")"
}
# counters OUT: asks for the counters (SIGUSR1) and waits for the new JSON line.
counters() {
  local before i; before=$(grep -c '^{' "$1")
  kill -USR1 $SIM
  for i in $(seq 100); do
    [ "$(grep -c '^{' "$1")" -gt "$before" ] && { grep '^{' "$1" | tail -1; return 0; }
    sleep 0.05
  done
  fail "no counters after SIGUSR1"
}

note "a) 100 ms each way, 10% loss, ${RATE} kbit/s cap"
start_sim "$WORK/sim.out" --delay 100ms --loss 10% --rate $RATE --queue $QUEUE --seed 7
[ "$(ip -n $A -o -4 addr show dev netsim0 | awk '{print $4}')" = 198.18.0.1/24 ] || fail "A has no 198.18.0.1/24"
[ "$(ip -n $B -o -4 addr show dev netsim0 | awk '{print $4}')" = 198.18.0.2/24 ] || fail "B has no 198.18.0.2/24"

if command -v ping > /dev/null; then
  ip netns exec $A ping -n -c 50 -i 0.05 -W 1 198.18.0.2 > "$WORK/ping.txt" 2>&1
  /usr/bin/python3 - "$WORK/ping.txt" > "$WORK/ping.json" <<'PY' || fail "cannot read ping's output: $(cat "$WORK/ping.txt")"
import json, re, sys
t = open(sys.argv[1]).read()
sent, received = map(int, re.search(r"(\d+) packets transmitted, (\d+) received", t).groups())
m = re.search(r"= ([\d.]+)/([\d.]+)/([\d.]+)/", t)
lo, avg, hi = map(float, m.groups()) if m else (0, 0, 0)
print(json.dumps({"tool": "ping", "sent": sent, "received": received, "rtt_min": lo, "rtt_avg": avg, "rtt_max": hi}))
PY
else
  ip netns exec $A /usr/bin/python3 - 198.18.0.2 > "$WORK/ping.json" <<'PY' || fail "the ICMP echo failed"
# ICMP echo like `ping -c 50 -i 0.05 -W 1`: 50 requests 50 ms apart, then 1 s for stragglers.
import json, os, select, socket, struct, sys, time
def checksum(b):
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    s = (s >> 16) + (s & 0xFFFF); s += s >> 16
    return ~s & 0xFFFF
sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
ident, sent_at, rtts = os.getpid() & 0xFFFF, {}, []
start = time.monotonic()
def send(seq):
    body = struct.pack("!BBHHH", 8, 0, 0, ident, seq) + b"p" * 56
    body = body[:2] + struct.pack("!H", checksum(body)) + body[4:]
    sent_at[seq] = time.monotonic(); sock.sendto(body, (sys.argv[1], 0))
seq = 0
while True:
    now = time.monotonic()
    if seq < 50 and now >= start + seq * 0.05:
        send(seq); seq += 1; continue
    deadline = start + seq * 0.05 if seq < 50 else start + 49 * 0.05 + 1.0
    if now >= deadline and seq >= 50: break
    r, _, _ = select.select([sock], [], [], max(0, deadline - now))
    if r:
        d, _ = sock.recvfrom(2048); ihl = (d[0] & 15) * 4
        typ, _, _, rid, rseq = struct.unpack("!BBHHH", d[ihl:ihl + 8])
        if typ == 0 and rid == ident and rseq in sent_at:
            rtts.append((time.monotonic() - sent_at.pop(rseq)) * 1000)
print(json.dumps({"tool": "python-icmp", "sent": 50, "received": len(rtts),
                  "rtt_min": min(rtts, default=0), "rtt_avg": sum(rtts) / max(1, len(rtts)),
                  "rtt_max": max(rtts, default=0)}))
PY
fi
note "ping: $(cat "$WORK/ping.json")"
# 10% each way: ~19% of round trips lost; 50 probes, so a wide range.
check "$WORK/ping.json" "j['sent'] == 50 and 28 <= j['received'] <= 49" "round-trip loss out of range"
check "$WORK/ping.json" "j['rtt_min'] >= 200 and j['rtt_avg'] <= 230" "RTT is not ~200 ms"

PORT=$(free_port)
ip netns exec $B /usr/bin/python3 - 198.18.0.2 $PORT > "$WORK/blast.json" 2> "$WORK/blast.err" <<'PY' &
# Counts datagrams until 1.5 s pass without one (or 20 s in all).
import json, socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
s.bind((sys.argv[1], int(sys.argv[2])))
print("listening", file=sys.stderr, flush=True)
n, size, first, last, end = 0, 0, None, None, time.monotonic() + 20
s.settimeout(10)
while time.monotonic() < end:
    try: d = s.recv(65536)
    except socket.timeout: break
    now = time.monotonic(); first = first or now; last = now; n += 1; size = len(d)
    s.settimeout(1.5)
print(json.dumps({"packets": n, "payload": size, "first": first, "last": last}))
PY
R=$!; PIDS+=($R)
for i in $(seq 100); do grep -q listening "$WORK/blast.err" && break; sleep 0.05; done
grep -q listening "$WORK/blast.err" || fail "the UDP receiver did not start"
# 1000-byte datagrams (1028 on the wire) at twice the cap for 4 s.
ip netns exec $A /usr/bin/python3 - 198.18.0.2 $PORT $((2 * RATE)) <<'PY' || fail "the UDP blast failed"
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
interval = 1028 * 8 / (int(sys.argv[3]) * 1000.0)
start = time.monotonic(); i = 0
while i * interval < 4.0:
    wait = start + i * interval - time.monotonic()
    if wait > 0: time.sleep(wait)
    s.sendto(b"u" * 1000, (sys.argv[1], int(sys.argv[2]))); i += 1
PY
timeout 25 tail --pid=$R -f /dev/null; wait $R
/usr/bin/python3 -c "
import json, sys
j = json.load(open('$WORK/blast.json'))
kbps = (j['packets'] - 1) * (j['payload'] + 28) * 8 / (j['last'] - j['first']) / 1000 if j['packets'] > 1 else 0
print(json.dumps({'packets': j['packets'], 'kbps': round(kbps, 1)}))" > "$WORK/rate.json" || fail "no blast result"
note "UDP blast at $((2 * RATE)) kbit/s received: $(cat "$WORK/rate.json")"
check "$WORK/rate.json" "0.95 * $RATE <= j['kbps'] <= 1.05 * $RATE" "throughput is not the ${RATE} kbit/s cap"

counters "$WORK/sim.out" > "$WORK/counters.json"
note "counters: $(cat "$WORK/counters.json")"
check "$WORK/counters.json" "0.05 <= j['a->b']['dropped_loss'] / j['a->b']['packets_in'] <= 0.15" "a->b random loss is not ~10%"
check "$WORK/counters.json" "j['a->b']['dropped_queue'] > 100" "the blast did not overflow the queue"
check "$WORK/counters.json" "400 <= j['a->b']['max_queue_delay_ms'] <= $QUEUE * 8 / $RATE" \
  "the queue delay is not bounded by the ${QUEUE}-byte queue"
check "$WORK/counters.json" "j['b->a']['packets_in'] >= 40 and j['b->a']['dropped_queue'] == 0" "b->a saw the wrong traffic"

note "b) refusals"
"$NETSIM" up --ns-a $A --ns-b $B > /dev/null 2> "$WORK/again.err" && fail "a second up on $A/$B was accepted"
grep -q "already exists" "$WORK/again.err" || fail "second up: $(cat "$WORK/again.err")"
"$NETSIM" up --ns-a ${A}x --ns-b ${B}x --addr-a 10.1.0.1/24 --addr-b 10.1.0.2/24 > /dev/null 2> "$WORK/range.err"
[ $? = 2 ] || fail "an address outside 198.18.0.0/15 was not refused"
grep -q "outside 198.18.0.0/15" "$WORK/range.err" || fail "range: $(cat "$WORK/range.err")"
[ -e /run/netns/${A}x ] && fail "a refused up left a namespace"

note "c) teardown"
kill -TERM $SIM
timeout 10 tail --pid=$SIM -f /dev/null; wait $SIM; rc=$?; SIM=
[ $rc = 0 ] || fail "peercall-netsim exited $rc on SIGTERM: $(cat "$WORK/sim.out.err")"
grep '^{' "$WORK/sim.out" | tail -1 > "$WORK/final.json"
check "$WORK/final.json" "j['a->b']['packets_in'] >= j['a->b']['packets_out'] > 0" "no counters at exit"
for n in $A $B; do
  [ -e /run/netns/$n ] && fail "namespace $n left behind"
done
ip -o link show | grep -q netsim0 && fail "a netsim0 device left behind"

start_sim "$WORK/sim2.out" --delay 10ms
kill -9 $SIM; wait $SIM 2> /dev/null; SIM=
[ -e /run/netns/$A ] || fail "SIGKILL removed the namespaces (the test of down is void)"
"$NETSIM" down --ns-a $A --ns-b $B || fail "down failed"
for n in $A $B; do
  [ -e /run/netns/$n ] && fail "down left namespace $n"
done
echo "netsim test passed"
