#!/usr/bin/env bash
# ICE across real network paths, in network namespaces (198.18.0.0/15 only):
#  a) two namespaces joined by a veth: the call connects over host candidates,
#     video arrives, both exit 0; a capture on the veth holds only STUN, DTLS,
#     SRTP and SRTCP (video not plain H.264), no SDP and no invitation code;
#  b) TURN only: two peers in namespaces routed through a third one that
#     forwards TCP (signalling) but drops all UDP, with coturn in the middle:
#     with --relay-only the call connects via relayed candidates, over TURN/UDP
#     and then TURN/TCP (checked by counters on the server's ports);
#  c) a peer that vanishes (its veth set down mid-call): the other side ends
#     with exit code 4 and "lost the other side" within 6 s, either way round.
# Needs root, ip, iptables, tcpdump and coturn; skipped (77) without.
source "$(dirname "$0")/lib.sh"
TOOL="/usr/bin/python3 $(dirname "$0")/pcap_tool.py"
[ "$(id -u)" = 0 ] || { echo "skipped: needs root"; exit 77; }
for t in ip iptables tcpdump turnserver; do
  command -v $t > /dev/null || { echo "skipped: $t is missing"; exit 77; }
done
ns=pcn$$
NSES=()
cleanup_ns() {
  for p in "${PIDS[@]}"; do kill -9 "$p" 2> /dev/null; done
  wait 2> /dev/null
  for n in "${NSES[@]}"; do ip netns del "$n" 2> /dev/null; done
  cleanup
}
trap cleanup_ns EXIT
mkns() {  # NAME...: new namespaces ${ns}NAME with lo up
  local n
  for n in "$@"; do
    ip netns add ${ns}$n 2> /dev/null || { echo "skipped: cannot create network namespaces"; exit 77; }
    NSES+=(${ns}$n)
    ip -n ${ns}$n link set lo up
  done
}
link() {  # NS_A IF_A ADDR_A NS_B IF_B ADDR_B: a veth between two namespaces
  ip link add $2 netns ${ns}$1 type veth peer name $5 netns ${ns}$4 || fail "no veth"
  ip -n ${ns}$1 addr add $3 dev $2 && ip -n ${ns}$4 addr add $6 dev $5
  ip -n ${ns}$1 link set $2 up && ip -n ${ns}$4 link set $5 up
}
# Foreground only: started in the background, $! would be a subshell, not the program
# (a signal to it would not reach the program); background starts use ip netns exec.
in_ns() { local n=$1; shift; ip netns exec ${ns}$n "$@"; }
wait_for_tcp() {  # NS HOST PORT: bounded wait until HOST:PORT accepts TCP, seen from NS
  local i
  for i in $(seq 100); do
    in_ns $1 bash -c "(exec 3<>/dev/tcp/$2/$3)" 2> /dev/null && return 0
    sleep 0.1
  done
  fail "nothing listens on $2:$3 after 10 s"
}
# start_listener NS NAME ADDR EXTRA...: a listener in NS on ADDR:5004; sets L.
start_listener() {
  local n=$1 name=$2 addr=$3; shift 3
  XDG_CONFIG_HOME=$WORK/cfg-listener ip netns exec ${ns}$n "$PEERCALL" listen --invite "$INVITE" --bind "$addr" "${MEDIA[@]}" \
    --video-out "$WORK/$name.l.y4m" "$@" 2> "$WORK/$name.l.err" &
  L=$!; PIDS+=($L)
}
# run_call NS NAME TARGET_ADDR ADDR EXTRA...: a caller for 5 s; waits for both sides, checks exit codes.
run_call() {
  local n=$1 name=$2 target=$3 addr=$4; shift 4
  XDG_CONFIG_HOME=$WORK/cfg-caller in_ns $n timeout 30 "$PEERCALL" call "$target:5004/$INVITE" --bind "$addr" \
    "${MEDIA[@]}" --duration 5 --video-out "$WORK/$name.c.y4m" "$@" 2> "$WORK/$name.c.err"
  local rc_c=$?
  timeout 10 tail --pid=$L -f /dev/null; wait $L; local rc_l=$?
  [ $rc_c = 0 ] || fail "$name: the caller exited $rc_c: $(cat "$WORK/$name.c.err")"
  [ $rc_l = 0 ] || fail "$name: the listener exited $rc_l: $(cat "$WORK/$name.l.err")"
}
# via NAME SIDE: the "via LOCAL (type) -> REMOTE (type)" part of a side's connected line.
via() { grep "check aloud" "$WORK/$1.$2.err" | head -1 | grep -o 'via [^;]*'; }
check_video() {  # NAME: both sides received the test pattern, in order, whole
  local side
  for side in l c; do
    "$ANALYZE" video "$WORK/$1.$side.y4m" > "$WORK/$1.$side.json" || fail "$1: analyze $side video"
    note "$1 $side received: $(cat "$WORK/$1.$side.json")"
    check "$WORK/$1.$side.json" "j['unique'] >= 90" "$1 $side: too few frames"
    check "$WORK/$1.$side.json" "j['in_order_fraction'] >= 0.99" "$1 $side: frames out of order"
    check "$WORK/$1.$side.json" "j['psnr_y_mean'] >= 35" "$1 $side: frames do not match the sent ones"
  done
}

note "a) host candidates across a veth, captured"
mkns a b
link a veth${ns}a 198.18.0.1/24 b veth${ns}b 198.18.0.2/24
ip netns exec ${ns}a tcpdump -i veth${ns}a -U -s 0 -w "$WORK/host.pcap" 2> "$WORK/tcpdump.err" & D=$!; PIDS+=($D)
wait_for_text "$WORK/tcpdump.err" "listening on" 10 || fail "tcpdump did not start: $(cat "$WORK/tcpdump.err")"
start_listener a host 198.18.0.1
wait_for_tcp b 198.18.0.1 5004
run_call b host 198.18.0.1 198.18.0.2
kill -INT $D; wait $D
note "listener $(via host l); caller $(via host c)"
[[ "$(via host l)" =~ ^via\ 198\.18\.0\.1:[0-9]+\ \(host\)\ -\>\ 198\.18\.0\.2:[0-9]+\ \(host\)$ ]] ||
  fail "the listener did not connect over host candidates: $(cat "$WORK/host.l.err")"
[[ "$(via host c)" =~ ^via\ 198\.18\.0\.2:[0-9]+\ \(host\)\ -\>\ 198\.18\.0\.1:[0-9]+\ \(host\)$ ]] ||
  fail "the caller did not connect over host candidates: $(cat "$WORK/host.c.err")"
check_video host
$TOOL classify "$WORK/host.pcap" > "$WORK/host.classes.json" || fail "cannot read the capture"
note "capture on the veth: $(cat "$WORK/host.classes.json")"
check "$WORK/host.classes.json" "set(j) - {'stun', 'dtls', 'rtp', 'rtcp', 'video_rtp', 'video_rtp_h264_like'} == set()" \
  "datagrams of another class crossed the veth"
check "$WORK/host.classes.json" "j.get('stun', 0) >= 2 and j.get('dtls', 0) >= 4 and j['video_rtp'] >= 100" \
  "the capture lacks the handshake or the media"
check "$WORK/host.classes.json" "j['video_rtp_h264_like'] < 0.3 * j['video_rtp']" "video crossed as plain H.264"
! $TOOL grep "$WORK/host.pcap" "a=fingerprint" || fail "SDP crossed the veth in the clear"
! $TOOL grep "$WORK/host.pcap" "$INVITE" || fail "the invitation code crossed the veth in the clear"

note "c) a peer that vanishes mid-call"
# vanish NAME LISTENER_GOES: the call runs until both sides see pictures, then
# one side's veth goes down; the other must say it went quiet, wait for it
# (--give-up 4) and then end 4 with "lost the other side", within 7 s.
vanish() {
  local name=$1 gone=$2 C
  start_listener a $name 198.18.0.1 --give-up 4
  wait_for_tcp b 198.18.0.1 5004
  XDG_CONFIG_HOME=$WORK/cfg-caller ip netns exec ${ns}b "$PEERCALL" call "198.18.0.1:5004/$INVITE" --bind 198.18.0.2 \
    "${MEDIA[@]}" --duration 40 --give-up 4 --video-out "$WORK/$name.c.y4m" 2> "$WORK/$name.c.err" & C=$!; PIDS+=($C)
  wait_for_text "$WORK/$name.l.err" "first picture" 15 && wait_for_text "$WORK/$name.c.err" "first picture" 15 ||
    fail "$name: the call did not get going: $(cat "$WORK/$name.l.err" "$WORK/$name.c.err")"
  local stays=$L goes=$C stays_name=l dev=veth${ns}b n=b
  [ "$gone" = listener ] && { stays=$C goes=$L stays_name=c dev=veth${ns}a n=a; }
  local t0; t0=$(date +%s%N)
  ip -n ${ns}$n link set $dev down
  timeout 10 tail --pid=$stays -f /dev/null
  local ms=$((($(date +%s%N) - t0) / 1000000))
  kill -0 $stays 2> /dev/null && fail "$name: the side that stayed still runs 10 s after the other vanished"
  wait $stays; local rc=$?
  note "$name: the $gone vanished; the other side exited $rc after $ms ms: $(grep -o 'lost the other side.*' "$WORK/$name.$stays_name.err" | head -1)"
  [ $rc = 4 ] || fail "$name: the side that stayed exited $rc, not 4: $(cat "$WORK/$name.$stays_name.err")"
  [ $ms -ge 3500 ] || fail "$name: it gave up on the other side after $ms ms, before the 4 s it was told to wait"
  [ $ms -le 7000 ] || fail "$name: it took $ms ms to notice the other side was gone"
  grep -q "went quiet" "$WORK/$name.$stays_name.err" || fail "$name: no 'went quiet' line before giving up"
  grep -q "lost the other side" "$WORK/$name.$stays_name.err" || fail "$name: no 'lost the other side' line"
  kill -9 $goes 2> /dev/null; wait $goes 2> /dev/null
  ip -n ${ns}$n link set $dev up
}
vanish gone_caller caller
vanish gone_listener listener

note "b) TURN only: UDP between the peers is dropped, media goes through coturn"
mkns ta tb t
link ta va 198.18.1.2/24 t ta 198.18.1.1/24
link tb vb 198.18.2.2/24 t tb 198.18.2.1/24
in_ns ta ip route add default via 198.18.1.1 && in_ns tb ip route add default via 198.18.2.1 || fail "no routes"
in_ns t sysctl -qw net.ipv4.ip_forward=1
in_ns t iptables -A FORWARD -p tcp -j ACCEPT
in_ns t iptables -A FORWARD -p udp -j DROP
# Counters only (no target): what reaches the TURN port over UDP and over TCP.
in_ns t iptables -A INPUT -p udp --dport 3478
in_ns t iptables -A INPUT -p tcp --dport 3478
# --verbose: the "listener opened" lines we wait for are logged only then.
ip netns exec ${ns}t turnserver -n --listening-ip 198.18.1.1 --listening-ip 198.18.2.1 --relay-ip 198.18.1.1 \
  --relay-ip 198.18.2.1 --lt-cred-mech --user user:pass --realm peercall --no-tls --no-dtls --no-cli \
  --verbose --userdb "$WORK/turndb" --pidfile "$WORK/turn.pid" --log-file stdout --simple-log > "$WORK/turn.log" 2>&1 &
PIDS+=($!)
for want in "UDP listener opened on: 198.18.1.1:3478" "UDP listener opened on: 198.18.2.1:3478" \
            "TCP listener opened on : 198.18.1.1:3478" "TCP listener opened on : 198.18.2.1:3478"; do
  wait_for_text "$WORK/turn.log" "$want" 10 || fail "coturn did not start ($want): $(tail -5 "$WORK/turn.log")"
done
counter() {  # CHAIN PATTERN: packets counted by the rule of CHAIN in t whose listing matches PATTERN
  # (the protocol column is a name or a number, depending on the iptables build)
  in_ns t iptables -L $1 -v -n -x | awk -v p="$2" '$0 ~ p { print $1; exit }'
}
for transport in udp tcp; do
  q=; [ $transport = tcp ] && q='?transport=tcp'
  in_ns t iptables -Z
  start_listener ta turn_$transport 198.18.1.2 --turn "turn:user:pass@198.18.1.1:3478$q" --relay-only
  wait_for_tcp tb 198.18.1.2 5004
  run_call tb turn_$transport 198.18.1.2 198.18.2.2 --turn "turn:user:pass@198.18.2.1:3478$q" --relay-only
  dropped=$(counter FORWARD "DROP +(udp|17) ") forwarded_tcp=$(counter FORWARD "ACCEPT +(tcp|6) ")
  to_udp=$(counter INPUT "udp dpt:3478") to_tcp=$(counter INPUT "tcp dpt:3478")
  note "TURN/$transport: listener $(via turn_$transport l); caller $(via turn_$transport c)"
  note "TURN/$transport: forwarded TCP $forwarded_tcp, direct UDP dropped $dropped; to the TURN port: UDP $to_udp, TCP $to_tcp packets"
  for side in l c; do
    [[ "$(via turn_$transport $side)" =~ ^via\ 198\.18\.[12]\.1:[0-9]+\ \(relay\)\ -\>\ 198\.18\.[12]\.1:[0-9]+\ \(relay\)$ ]] ||
      fail "TURN/$transport $side: not connected via the relay: $(cat "$WORK/turn_$transport.$side.err")"
  done
  check_video turn_$transport
  [ "${forwarded_tcp:-0}" -gt 0 ] || fail "TURN/$transport: the signalling did not cross t"
  if [ $transport = udp ]; then
    [ "${to_udp:-0}" -gt 100 ] || fail "TURN/udp: the media did not go to coturn over UDP"
  else
    [ "${to_tcp:-0}" -gt 100 ] || fail "TURN/tcp: the media did not go to coturn over TCP"
    [ "${to_udp:-0}" = 0 ] || fail "TURN/tcp: $to_udp UDP packets went to coturn"
  fi
done
echo "ice netns test passed"
