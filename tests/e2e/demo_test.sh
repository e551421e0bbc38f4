#!/usr/bin/env bash
# The demo a newcomer runs: two local peers on test sources, ending cleanly.
source "$(dirname "$0")/lib.sh"
timeout 30 "$PEERCALL" demo --duration 4 --view none --video-out "$WORK/demo.y4m" 2> "$WORK/demo.err" < /dev/null
rc=$?
[ $rc = 0 ] || fail "demo exited $rc: $(cat "$WORK/demo.err")"
grep -q "\[caller\]" "$WORK/demo.err" || fail "no status from the caller: $(cat "$WORK/demo.err")"
grep -q "\[listener\]" "$WORK/demo.err" || fail "no status from the listener: $(cat "$WORK/demo.err")"
"$ANALYZE" video "$WORK/demo.y4m" > "$WORK/demo.json"
check "$WORK/demo.json" "j['unique'] >= 60" "the demo's caller received too little video"
echo "demo test passed"
