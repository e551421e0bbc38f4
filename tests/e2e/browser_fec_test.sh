#!/usr/bin/env bash
# A browser viewer on a lossy link gets FEC it can use (issue 10, loss
# recovery): `peercall stream` in one namespace, Debian's Chromium watching
# from the other through peercall-netsim (RTT 100 ms, 5% random loss towards
# the viewer). Chromium offers no FlexFEC, so peercall answers RED + ULPFEC
# (RFC 2198, RFC 5109) and protects its video as it leaves the pacer; the
# browser must receive FEC packets (its receiver's histograms: getStats has
# no ULPFEC counts), see the loss, and keep decoding; with --no-fec none is
# sent. Figures (loss, NACKs,
# freezes) are printed; the comparison is bench/browser_viewer_bench.sh's.
# Args: PEERCALL ANALYZE [NETSIM]. Needs root, ip, /dev/net/tun, Chromium and
# playwright-core; skipped (77) without.
source "$(dirname "$0")/lib.sh"
needs_netsim "${3:-}"
root=$(cd "$(dirname "$0")/../.." && pwd)
[ -x /usr/bin/chromium ] || { echo "skipped: /usr/bin/chromium is missing"; exit 77; }
[ -d "$root/tests/browser/node_modules/playwright-core" ] ||
  { echo "skipped: run scripts/browser_deps.sh (playwright-core is missing)"; exit 77; }
command -v node > /dev/null || { echo "skipped: node is missing"; exit 77; }
NC_WORK=$WORK
source "$root/bench/lib/netsim_call.sh"
trap 'netsim_call_cleanup; cleanup' EXIT

nc_link_up fec "--delay 50ms --a-b loss=5% --seed 11" "" || fail "no link"
XDG_CONFIG_HOME=$WORK/cfg ip netns exec $NC_NS_A "$PEERCALL" stream --invite $NC_CODE --port 5004 \
  --bind 198.18.0.1 "${SENDER[@]}" --stats "$WORK/s.jsonl" 2> "$WORK/s.err" &
streamer=$!; NC_PIDS+=($streamer)
nc_wait_for 10 ip netns exec $NC_NS_A bash -c '(exec 3<>/dev/tcp/198.18.0.1/5004)' ||
  fail "the streamer did not start: $(tail -3 "$WORK/s.err")"
# 360 frames (12 s at 30 fps) through the loss: the receiver records its FEC
# histograms only for streams of 10 s or more.
ip netns exec $NC_NS_B timeout 90 node "$root/tests/browser/guest_test.mjs" page \
  "https://198.18.0.1:5004/call#$NC_CODE" --frames 360 --expect-fec --timeout 75 \
  > "$WORK/viewer.json" 2> "$WORK/viewer.err"
rc=$?
note "viewer: $(cat "$WORK/viewer.json") $(tail -c 1500 "$WORK/viewer.err")"
[ $rc = 0 ] || fail "the browser viewer failed (rc $rc): $(tail -5 "$WORK/s.err")"
check "$WORK/viewer.json" "j['checks']['mode'] == 'watch'" "the stream's page is not in watch mode"
check "$WORK/viewer.json" "j['checks']['stats']['packetsLostIn'] > 0" "the link lost nothing: the test proves nothing"
check "$WORK/viewer.json" "j['checks']['fec_histograms']['receivedPercent'] > 0" "Chromium received no FEC"
kill -0 $streamer 2> /dev/null || fail "the streamer stopped: $(tail -5 "$WORK/s.err")"
kill -INT $streamer; nc_wait_pid 10 $streamer
tail -n 1 "$WORK/s.jsonl" > "$WORK/s.last.json"
note "streamer: $(cat "$WORK/s.last.json")"
check "$WORK/s.last.json" "j['fec_packets_sent'] > 0" "the streamer sent no FEC"
/usr/bin/python3 - "$WORK/viewer.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))['checks']
s, h = c['stats'], c['fec_histograms']
print(f"browser viewer, 5% loss, RTT 100 ms: {s['videoIn']} frames decoded, {s['packetsLostIn']} packets lost, "
      f"FEC {h['receivedPercent']}% of packets received, media recovered {h['recoveredPercentOfFec']}% of FEC, "
      f"{s['nacksSent']} NACKs, {s['plisSent']} PLIs, {s['freezes']} freezes ({s['freezeSeconds']:.2f} s)")
PY

# --no-fec: the same viewer, the same loss, and no FEC at all (NACK/RTX repair it).
XDG_CONFIG_HOME=$WORK/cfg ip netns exec $NC_NS_A "$PEERCALL" stream --invite $NC_CODE --port 5004 \
  --bind 198.18.0.1 "${SENDER[@]}" --no-fec --stats "$WORK/n.jsonl" 2> "$WORK/n.err" &
streamer=$!; NC_PIDS+=($streamer)
nc_wait_for 10 ip netns exec $NC_NS_A bash -c '(exec 3<>/dev/tcp/198.18.0.1/5004)' ||
  fail "the --no-fec streamer did not start: $(tail -3 "$WORK/n.err")"
ip netns exec $NC_NS_B timeout 60 node "$root/tests/browser/guest_test.mjs" page \
  "https://198.18.0.1:5004/call#$NC_CODE" --frames 90 --timeout 45 > "$WORK/nofec.json" 2> "$WORK/nofec.err" ||
  fail "the browser viewer of --no-fec failed: $(cat "$WORK/nofec.json") $(tail -5 "$WORK/n.err")"
check "$WORK/nofec.json" "j['checks']['stats']['packetsLostIn'] > 0" "the link lost nothing under --no-fec"
kill -INT $streamer; nc_wait_pid 10 $streamer
tail -n 1 "$WORK/n.jsonl" > "$WORK/n.last.json"
check "$WORK/n.last.json" "j['fec_packets_sent'] == 0" "--no-fec still sent FEC"
echo "browser FEC test passed"
