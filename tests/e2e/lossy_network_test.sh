#!/usr/bin/env bash
# A stream across a lossy link between two network namespaces (veth, 198.18.0.0/15,
# iptables dropping 3% of the viewer's incoming packets at random). The viewer
# keeps going: losses are detected, keyframes are requested and sent, and the
# frames it shows are whole (it waits for a keyframe rather than show a broken
# picture). Needs root for namespaces; skipped (77) without.
source "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] && command -v ip > /dev/null && command -v iptables > /dev/null || exit 77
ns=pc$$
ip netns add ${ns}a 2>/dev/null || exit 77
ip netns add ${ns}b
cleanup_ns() { ip netns del ${ns}a 2>/dev/null; ip netns del ${ns}b 2>/dev/null; cleanup; }
trap cleanup_ns EXIT
ip link add veth${ns}a netns ${ns}a type veth peer name veth${ns}b netns ${ns}b || fail "no veth"
ip -n ${ns}a addr add 198.18.0.1/24 dev veth${ns}a
ip -n ${ns}b addr add 198.18.0.2/24 dev veth${ns}b
for n in a b; do ip -n ${ns}$n link set veth${ns}$n up; ip -n ${ns}$n link set lo up; done
ip netns exec ${ns}b iptables -A INPUT -p udp -m statistic --mode random --probability 0.03 -j DROP ||
  fail "iptables cannot drop packets here"

ip netns exec ${ns}a "$PEERCALL" stream --invite "$INVITE" --bind 198.18.0.1 --port 5004 "${SENDER[@]}" & S=$!; PIDS+=($S)
for _ in $(seq 100); do ip netns exec ${ns}b bash -c '(exec 3<>/dev/tcp/198.18.0.1/5004)' 2>/dev/null && break; sleep 0.1; done
ip netns exec ${ns}b timeout 30 "$PEERCALL" watch 198.18.0.1/$INVITE --bind 198.18.0.2 --view none --speaker none \
  --quiet --duration 8 --video-out "$WORK/v.y4m" --audio-out "$WORK/a.wav" --stats "$WORK/v.jsonl"
rc=$?
kill -INT $S; wait $S
[ $rc = 0 ] || fail "the viewer exited $rc on a lossy link"
tail -n1 "$WORK/v.jsonl" > "$WORK/last.json"
note "viewer's last stats: $(cat "$WORK/last.json")"
check "$WORK/last.json" "j['packets_lost_in'] > 0" "no loss was seen: the test did not test anything"
"$ANALYZE" video "$WORK/v.y4m" > "$WORK/v.json"
note "received: $(cat "$WORK/v.json")"
check "$WORK/v.json" "j['unique'] >= 60" "too few pictures got through 3% loss"
check "$WORK/v.json" "j['in_order_fraction'] >= 0.99" "pictures out of order"
check "$WORK/v.json" "j['psnr_y_min'] >= 25" "a broken picture was shown"
"$ANALYZE" audio "$WORK/a.wav" > "$WORK/a.json"
check "$WORK/a.json" "j['beeps'] >= 8" "the tone did not survive the loss"
echo "lossy network test passed"
